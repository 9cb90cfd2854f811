import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileChildren, PROJECT_NODE_MODULES } from '../compile-children';

const temp = mkdtempSync(join(tmpdir(), 'hookspec-pg-missing-'));
let lib = '';
/** A node_modules with every installed package but pg, as an application without it has. */
let withoutPg = '';

beforeAll(async () => {
  ({ lib } = await compileChildren(join(temp, 'build')));
  withoutPg = join(temp, 'node_modules');
  mkdirSync(withoutPg);
  for (const name of readdirSync(PROJECT_NODE_MODULES)) {
    if (name === 'pg' || name.startsWith('.')) continue;
    symlinkSync(join(PROJECT_NODE_MODULES, name), join(withoutPg, name));
  }
}, 180_000);

afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Runs `script` in a new node whose only packages are `nodePath`, with the compiled lib as `hookspec`. */
async function run(script: string, nodePath: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    env: { ...process.env, NODE_PATH: nodePath, HOOKSPEC_LIB: lib },
    timeout: 30_000,
  });
  return stdout.trim();
}

// Makes a queue, which needs pg, and closes it: no connection is opened before the first call.
const TRY_QUEUE = `
  const hookspec = require(process.env.HOOKSPEC_LIB);
  const { PostgresQueue } = require(require('node:path').join(process.env.HOOKSPEC_LIB, '..', 'queues', 'postgres'));
  try {
    new PostgresQueue({ connectionString: 'postgres://app:secret@127.0.0.1:1/app' }).close()
      .then(() => console.log(JSON.stringify({ made: true })));
  } catch (error) {
    console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message,
      isDeliveryQueueError: error instanceof hookspec.DeliveryQueueError }));
  }`;

describe('PostgresQueue without pg installed', () => {
  it('loads hookspec, and fails only when a PostgresQueue is made, naming the package and the install command', async () => {
    expect(JSON.parse(await run(TRY_QUEUE, withoutPg))).toEqual({
      name: 'DeliveryQueueError',
      code: 'missing-dependency',
      isDeliveryQueueError: true,
      message: 'PostgresQueue needs the package pg, which is not installed. Install it with `npm install pg@8`.',
    });
  });

  it('makes the queue when the package is there (the same script, with every package)', async () => {
    expect(JSON.parse(await run(TRY_QUEUE, PROJECT_NODE_MODULES))).toEqual({ made: true });
  });
});

// The same for the endpoint store of the same entry.
const TRY_STORE = `
  const hookspec = require(process.env.HOOKSPEC_LIB);
  const { PostgresEndpointStore } = require(require('node:path').join(process.env.HOOKSPEC_LIB, '..', 'queues', 'postgres'));
  try {
    new PostgresEndpointStore({ connectionString: 'postgres://app:secret@127.0.0.1:1/app' }).close()
      .then(() => console.log(JSON.stringify({ made: true })));
  } catch (error) {
    console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message,
      isEndpointStoreError: error instanceof hookspec.EndpointStoreError }));
  }`;

describe('PostgresEndpointStore without pg installed', () => {
  it('fails only when a PostgresEndpointStore is made, with an EndpointStoreError naming the package', async () => {
    expect(JSON.parse(await run(TRY_STORE, withoutPg))).toEqual({
      name: 'EndpointStoreError',
      code: 'missing-dependency',
      isEndpointStoreError: true,
      message:
        'PostgresEndpointStore needs the package pg, which is not installed. Install it with `npm install pg@8`.',
    });
    expect(JSON.parse(await run(TRY_STORE, PROJECT_NODE_MODULES))).toEqual({ made: true });
  });
});
