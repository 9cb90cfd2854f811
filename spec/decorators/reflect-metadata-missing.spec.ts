import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

describe('without reflect-metadata', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  });

  it('fails at decoration with an error that says to import it', () => {
    // A fresh process that never loads the polyfill: the real failure a user meets.
    const script = `
      const { Webhook } = require('hookspec');
      class Subscription {}
      try { Webhook('new-subscription')(Subscription); console.log('no error'); }
      catch (error) { console.log(error.name + ': ' + error.message); }
    `;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(
      `ReflectMetadataMissingError: @Webhook("new-subscription") on Subscription: the Reflect metadata API is not available. ` +
        `Add \`import 'reflect-metadata';\` once at the entry point of your program, before any decorated class is loaded.`,
    );
  });
});
