import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { portalAssetDirectory } from '../../lib/management/http/portal-page';

/*
 * The portal's page reads its assets from the package's own dist/portal/, found from the module's
 * location: the same directory whether the module runs compiled (dist/management/http, as an app loads
 * it from node_modules) or from source (lib/management/http, as vitest runs it).
 */
const root = join(__dirname, '..', '..');

describe("the portal's asset directory", () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.mjs'))) throw new Error('dist/ is missing: run `npm run build` first');
  });

  it("is the package's dist/portal from source", () => {
    expect(portalAssetDirectory()).toBe(join(root, 'dist', 'portal'));
  });

  it('is the same from the compiled module, whatever the working directory', () => {
    const script = `console.log(require(${JSON.stringify(join(root, 'dist', 'management', 'http', 'portal-page.js'))}).portalAssetDirectory())`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: '/', encoding: 'utf8' });
    expect({ status: result.status, directory: result.stdout.trim() }).toEqual({
      status: 0,
      directory: join(root, 'dist', 'portal'),
    });
  });
});
