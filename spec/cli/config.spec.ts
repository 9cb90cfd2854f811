import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, runCli } from './run-cli';

const exampleModule = join(root, 'examples/plain-ts/dist/webhooks.js');
const golden = readFileSync(join(root, 'examples/plain-ts/openapi.json'), 'utf8');

beforeAll(() => {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'examples/plain-ts/tsconfig.json'], {
    cwd: root,
  });
}, 60_000);

/** A fresh directory holding the given files (objects are written as JSON). */
function project(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookspec-config-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const fullConfig = { modules: [exampleModule], out: 'openapi.json', title: 'Example webhooks' };

describe('hookspec.config.json', () => {
  it('gives generate its modules, output and title, so the command needs no arguments', () => {
    const dir = project({ 'hookspec.config.json': fullConfig });
    const result = runCli(['generate'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readFileSync(join(dir, 'openapi.json'), 'utf8')).toBe(golden);
  });

  it('gives check the same document, so the envelope is written once for both', () => {
    const dir = project({ 'hookspec.config.json': { ...fullConfig, envelope: 'standard' } });
    expect(runCli(['generate'], dir).code).toBe(0);
    const document = JSON.parse(readFileSync(join(dir, 'openapi.json'), 'utf8'));
    const body = document.webhooks['new-subscription'].post.requestBody.content['application/json'].schema;
    expect(body.properties.data).toEqual({ $ref: '#/components/schemas/Subscription' });
    const check = runCli(['check'], dir);
    expect(check.stdout).toBe('hookspec: openapi.json is up to date\n');
    expect(check.code).toBe(0);
  });

  it('is overridden by the flags and module arguments given', () => {
    const dir = project({ 'hookspec.config.json': { ...fullConfig, modules: ['missing.js'], version: '9.9.9' } });
    const result = runCli(['generate', exampleModule, '--out', 'other.json', '--version', '2.0.0'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'other.json'), 'utf8')).info).toEqual({
      title: 'Example webhooks',
      version: '2.0.0',
    });
  });

  it('reads paths relative to the config file named by --config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookspec-config-'));
    const module = relative(join(dir, 'config'), exampleModule);
    expect(module).toMatch(/^\.\.\//);
    mkdirSync(join(dir, 'config'));
    writeFileSync(
      join(dir, 'config', 'hookspec.json'),
      JSON.stringify({ modules: [module], out: '../docs/openapi.json', title: 'Example webhooks' }),
    );
    const result = runCli(['generate', '--config', 'config/hookspec.json'], dir);
    expect(result.stdout).toMatch(/^hookspec: wrote docs\/openapi\.json: 3 webhooks/);
    expect(readFileSync(join(dir, 'docs', 'openapi.json'), 'utf8')).toBe(golden);
  });

  it('suggests the command as it was given when check finds the file stale', () => {
    const dir = project({ 'hookspec.config.json': fullConfig, 'openapi.json': '{}\n' });
    const result = runCli(['check', '--yaml'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('hookspec: update it with: hookspec generate --yaml\n');
  });
});

describe('the hookspec key of package.json', () => {
  it('is read when there is no hookspec.config.json', () => {
    const dir = project({ 'package.json': { name: 'shop', hookspec: fullConfig } });
    expect(runCli(['generate'], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'openapi.json'), 'utf8')).toBe(golden);
  });

  it('gives way to hookspec.config.json', () => {
    const dir = project({
      'package.json': { name: 'shop', hookspec: { ...fullConfig, out: 'from-package.json' } },
      'hookspec.config.json': fullConfig,
    });
    expect(runCli(['generate'], dir).stdout).toMatch(/^hookspec: wrote openapi\.json:/);
  });
});

describe('a config that is wrong', () => {
  it('refuses an unknown key with a did-you-mean, naming the file (exit 2)', () => {
    const dir = project({ 'hookspec.config.json': { ...fullConfig, output: 'x.json' } });
    const result = runCli(['generate'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "hookspec: hookspec.config.json: unknown option 'output' (did you mean 'out'?). " +
        'Known options: modules, out, base, title, version, yaml, envelope.\n',
    );
  });

  it('refuses a value of the wrong type, naming the key and the file', () => {
    const dir = project({ 'package.json': { name: 'shop', hookspec: { ...fullConfig, version: 2 } } });
    const result = runCli(['generate'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('hookspec: package.json "hookspec": "version" must be a non-empty string, got 2.\n');
  });

  it('refuses modules that are not a list of paths, and an unknown envelope', () => {
    const modules = runCli(['check'], project({ 'hookspec.config.json': { ...fullConfig, modules: 'dist/w.js' } }));
    expect(modules.code).toBe(2);
    expect(modules.stderr).toBe(
      'hookspec: hookspec.config.json: "modules" must be a non-empty array of module paths, ' +
        `e.g. ["dist/webhooks.js"], got 'dist/w.js'.\n`,
    );
    const envelope = runCli(['check'], project({ 'hookspec.config.json': { ...fullConfig, envelope: 'svix' } }));
    expect(envelope.stderr).toBe(
      `hookspec: hookspec.config.json: "envelope" must be 'none' or 'standard', got 'svix'.\n`,
    );
  });

  it('names a file that is not JSON, and a --config file that does not exist', () => {
    const notJson = runCli(['generate'], project({ 'hookspec.config.json': '{ "out": ' }));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^hookspec: cannot read the config file hookspec\.config\.json: .*JSON/);
    const dir = project({});
    const missing = runCli(['generate', '--config', 'nope.json'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `hookspec: cannot read the config file nope.json: it does not exist (looked for ${join(dir, 'nope.json')}).\n`,
    );
  });

  it('says where to set the modules when neither the arguments nor the config give them', () => {
    const dir = project({ 'hookspec.config.json': { out: 'openapi.json' } });
    const result = runCli(['generate'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'hookspec: generate needs the compiled modules that export the @Webhook classes: pass them as arguments ' +
        '(hookspec generate dist/webhooks.js --out openapi.json) or set "modules" in hookspec.config.json.\n',
    );
  });
});
