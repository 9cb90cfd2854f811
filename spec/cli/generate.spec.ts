import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, runCli } from './run-cli';

const exampleModule = 'examples/plain-ts/dist/webhooks.js';
const golden = readFileSync(join(root, 'examples/plain-ts/openapi.json'), 'utf8');
const fixtures = relative(root, join(__dirname, 'fixtures'));

beforeAll(() => {
  // The examples compiled by tsc, exactly as `npm run demo` compiles them.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'examples/plain-ts/tsconfig.json'], {
    cwd: root,
  });
}, 60_000);

describe('hookspec generate', () => {
  it('writes the document of a compiled module, byte for byte the committed one, and says where', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hookspec-cli-')), 'nested', 'openapi.json');
    const result = runCli(['generate', exampleModule, '--out', out, '--title', 'Example webhooks']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `hookspec: wrote ${relative(root, out)}: 3 webhooks (new-subscription, payment-success, stock-changed), 3 schemas\n`,
    );
    expect(readFileSync(out, 'utf8')).toBe(golden);
  });

  it('is deterministic: two runs give the same bytes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookspec-cli-'));
    runCli(['generate', exampleModule, '--out', join(dir, 'a.json')]);
    runCli(['generate', exampleModule, '--out', join(dir, 'b.json')]);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe(readFileSync(join(dir, 'b.json'), 'utf8'));
  });

  it('writes YAML for a .yaml file or with --yaml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookspec-cli-'));
    expect(
      runCli(['generate', exampleModule, '--out', join(dir, 'openapi.yaml'), '--title', 'Example webhooks']).code,
    ).toBe(0);
    expect(
      runCli(['generate', exampleModule, '--out', join(dir, 'spec.txt'), '--yaml', '--title', 'Example webhooks']).code,
    ).toBe(0);
    const yaml = readFileSync(join(dir, 'openapi.yaml'), 'utf8');
    expect(yaml).toMatch(/^openapi: 3\.1\.0\n/);
    expect(parse(yaml)).toEqual(JSON.parse(golden));
    expect(readFileSync(join(dir, 'spec.txt'), 'utf8')).toBe(yaml);
  });

  it('merges into a --base document and overrides --title and --version', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hookspec-cli-')), 'openapi.json');
    const result = runCli([
      'generate',
      exampleModule,
      '--base',
      `${fixtures}/base-3.1.json`,
      '--out',
      out,
      '--version',
      '2.1.0',
    ]);
    expect(result.code).toBe(0);
    const document = JSON.parse(readFileSync(out, 'utf8'));
    expect(document.info).toEqual({ title: 'Shop API', version: '2.1.0' });
    expect(Object.keys(document.paths)).toEqual(['/orders']);
    expect(Object.keys(document.webhooks)).toEqual(['new-subscription', 'payment-success', 'stock-changed']);
  });

  it('imports ES modules and takes several modules', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hookspec-cli-')), 'openapi.json');
    const result = runCli(['generate', exampleModule, `${fixtures}/esm-webhooks.mjs`, '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const document = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(document.webhooks)).toEqual(['new-subscription', 'payment-success', 'ping', 'stock-changed']);
    expect(document.components.schemas.Ping).toEqual({
      type: 'object',
      properties: { message: { type: 'string' } },
      required: ['message'],
    });
  });
});

describe('hookspec generate, when something is wrong', () => {
  const out = (): string => join(mkdtempSync(join(tmpdir(), 'hookspec-cli-')), 'openapi.json');

  it('names a missing module and what it looked for (exit 2)', () => {
    const result = runCli(['generate', 'dist/nope.js', '--out', out()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `hookspec: cannot find module dist/nope.js (looked for ${join(root, 'dist/nope.js')}). ` +
        'Pass the path of a compiled JavaScript module, e.g. dist/webhooks.js.\n',
    );
  });

  it('lists the exports of a module that has no webhooks', () => {
    const result = runCli(['generate', `${fixtures}/no-webhooks.cjs`, '--out', out()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /no-webhooks\.cjs exports no class with @Webhook metadata \(its exports: Plain, answer\)\. Export the decorated classes/,
    );
  });

  it('refuses TypeScript source and says to compile it', () => {
    const result = runCli(['generate', 'examples/plain-ts/webhooks.ts', '--out', out()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /webhooks\.ts is TypeScript source\. Compile it first \(tsc with "emitDecoratorMetadata": true\)/,
    );
  });

  it('names an unreadable base document', () => {
    const missing = runCli(['generate', exampleModule, '--base', 'nope.json', '--out', out()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^hookspec: cannot read the base document nope\.json: ENOENT/);
    const notJson = runCli(['generate', exampleModule, '--base', `${fixtures}/no-webhooks.cjs`, '--out', out()]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/the base document .*no-webhooks\.cjs is not valid JSON/);
  });

  it('refuses a 3.0 base document', () => {
    const result = runCli(['generate', exampleModule, '--base', `${fixtures}/base-3.0.json`, '--out', out()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /the document's 'openapi' field is "3\.0\.3", but webhooks need OpenAPI 3\.1 or later/,
    );
  });

  it('exits 2 and says where to give the file when --out is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookspec-cli-'));
    const result = runCli(['generate', join(root, exampleModule)], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `hookspec: generate needs the document file: pass --out openapi.json or set "out" in hookspec.config.json ` +
        `(none found in ${dir}).\n`,
    );
  });
});

describe('hookspec generate --envelope standard', () => {
  it('documents the { type, timestamp, data } envelope that the client sends with envelope: standard', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'hookspec-cli-')), 'openapi.json');
    expect(runCli(['generate', exampleModule, '--out', out, '--envelope', 'standard']).code).toBe(0);
    const document = JSON.parse(readFileSync(out, 'utf8'));
    const schema = document.webhooks['new-subscription'].post.requestBody.content['application/json'].schema;
    expect(schema).toMatchObject({
      type: 'object',
      properties: { type: { const: 'new-subscription' }, data: { $ref: '#/components/schemas/Subscription' } },
      required: ['type', 'timestamp', 'data'],
    });
  });

  it('refuses an unknown envelope mode', () => {
    const result = runCli(['generate', exampleModule, '--out', 'x.json', '--envelope', 'cloudevents']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/argument 'cloudevents' is invalid\. Allowed choices are none, standard/);
  });
});
