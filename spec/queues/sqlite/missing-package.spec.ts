import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileChildren, PROJECT_NODE_MODULES } from '../compile-children';
import { tempDirectory } from './temp-files';

const temp = tempDirectory('missing');
let lib = '';
/** A node_modules with every installed package but better-sqlite3, as an application without it has. */
let withoutSqlite = '';

beforeAll(async () => {
  ({ lib } = await compileChildren(temp.file('build')));
  withoutSqlite = temp.file('node_modules');
  mkdirSync(withoutSqlite);
  for (const name of readdirSync(PROJECT_NODE_MODULES)) {
    if (name === 'better-sqlite3' || name.startsWith('.')) continue;
    symlinkSync(join(PROJECT_NODE_MODULES, name), join(withoutSqlite, name));
  }
}, 180_000);

afterAll(() => temp.remove());

/** Runs `script` in a new node whose only packages are `nodePath`, with the compiled lib as `hookspec`. */
async function run(script: string, nodePath: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
    env: { ...process.env, NODE_PATH: nodePath, HOOKSPEC_LIB: lib, QUEUE_FILE: temp.file() },
    timeout: 30_000,
  });
  return stdout.trim();
}

const TRY_QUEUE = `
  const hookspec = require(process.env.HOOKSPEC_LIB);
  const { SqliteQueue } = require(require('node:path').join(process.env.HOOKSPEC_LIB, '..', 'queues', 'sqlite'));
  try {
    new SqliteQueue({ path: process.env.QUEUE_FILE }).close();
    console.log(JSON.stringify({ opened: true }));
  } catch (error) {
    console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message,
      isDeliveryQueueError: error instanceof hookspec.DeliveryQueueError }));
  }`;

describe('SqliteQueue without better-sqlite3 installed', () => {
  it('loads hookspec, and fails only when a SqliteQueue is made, naming the package and the install command', async () => {
    const outcome = JSON.parse(await run(TRY_QUEUE, withoutSqlite)) as Record<string, unknown>;
    expect(outcome).toEqual({
      name: 'DeliveryQueueError',
      code: 'missing-dependency',
      isDeliveryQueueError: true,
      message:
        'SqliteQueue needs the package better-sqlite3, which is not installed. ' +
        'Install it with `npm install better-sqlite3@12`.',
    });
  });

  it('opens the queue when the package is there (the same script, with every package)', async () => {
    expect(JSON.parse(await run(TRY_QUEUE, PROJECT_NODE_MODULES))).toEqual({ opened: true });
  });
});

const TRY_STORE = `
  const hookspec = require(process.env.HOOKSPEC_LIB);
  const { SqliteEndpointStore } = require(require('node:path').join(process.env.HOOKSPEC_LIB, '..', 'queues', 'sqlite'));
  try {
    new SqliteEndpointStore({ path: process.env.QUEUE_FILE }).close();
    console.log(JSON.stringify({ opened: true }));
  } catch (error) {
    console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message,
      isEndpointStoreError: error instanceof hookspec.EndpointStoreError }));
  }`;

describe('SqliteEndpointStore without better-sqlite3 installed', () => {
  it('fails only when a store is made, with its own error class, naming the package and the install command', async () => {
    expect(JSON.parse(await run(TRY_STORE, withoutSqlite))).toEqual({
      name: 'EndpointStoreError',
      code: 'missing-dependency',
      isEndpointStoreError: true,
      message:
        'SqliteEndpointStore needs the package better-sqlite3, which is not installed. ' +
        'Install it with `npm install better-sqlite3@12`.',
    });
    expect(JSON.parse(await run(TRY_STORE, PROJECT_NODE_MODULES))).toEqual({ opened: true });
  });
});
