import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, runCli } from './run-cli';

const exampleModule = 'examples/plain-ts/dist/webhooks.js';
const golden = join(root, 'examples/plain-ts/openapi.json');

beforeAll(() => {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'examples/plain-ts/tsconfig.json'], {
    cwd: root,
  });
}, 60_000);

describe('hookspec check', () => {
  it('exits 0 when the committed document is up to date', () => {
    const result = runCli([
      'check',
      exampleModule,
      '--out',
      'examples/plain-ts/openapi.json',
      '--title',
      'Example webhooks',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('hookspec: examples/plain-ts/openapi.json is up to date\n');
    expect(result.code).toBe(0);
  });

  it('exits 1 with a readable diff and the command that fixes it when the document is stale', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookspec-check-'));
    const stale = join(dir, 'openapi.json');
    writeFileSync(
      stale,
      readFileSync(golden, 'utf8').replace('"Monthly fee in the account’s currency."', '"Old text."'),
    );
    const module = join(root, exampleModule);
    const result = runCli(['check', module, '--out', stale, '--title', 'Example webhooks'], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('hookspec: openapi.json is stale');
    expect(result.stderr).toMatch(/^--- openapi\.json \(committed\)$/m);
    expect(result.stderr).toMatch(/^\+\+\+ openapi\.json \(generated\)$/m);
    expect(result.stderr).toMatch(/^-\s+"description": "Old text\.",$/m);
    expect(result.stderr).toMatch(/^\+\s+"description": "Monthly fee in the account’s currency\.",$/m);
    expect(result.stderr).toContain(
      `hookspec: update it with: hookspec generate ${module} --out ${stale} --title 'Example webhooks'`,
    );
  });

  it('exits 1 when the document does not exist yet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookspec-check-'));
    const result = runCli(['check', join(root, exampleModule), '--out', 'openapi.json'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^hookspec: openapi\.json does not exist\. Create it with: hookspec generate /);
  });

  it('does not touch the file it checks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookspec-check-'));
    const copy = join(dir, 'openapi.json');
    copyFileSync(golden, copy);
    writeFileSync(copy, '{}\n');
    runCli(['check', join(root, exampleModule), '--out', copy]);
    expect(readFileSync(copy, 'utf8')).toBe('{}\n');
  });
});
