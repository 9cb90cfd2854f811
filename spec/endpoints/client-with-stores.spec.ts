import { MemoryEndpointStore, verifySignature, WebhookClient } from 'hookspec';
import { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEndpointStore } from '../../lib/queues/postgres';
import { SqliteEndpointStore } from '../../lib/queues/sqlite';
import { LOOPBACK, Subscription, subscription } from '../client/fixtures';
import { tempDirectory } from '../queues/sqlite/temp-files';
import {
  postgresAvailable,
  recordIdleErrors,
  startPostgres,
  unexpectedIdleErrors,
  type TestPostgres,
} from '../support/postgres-server';
import { startRecordingServer, type RecordedRequest } from '../support/recording-server';
import type { ContractStore } from './endpoint-store-contract';

const temp = tempDirectory('client-stores');
afterAll(() => temp.remove());

/** The PostgreSQL store's cases run on a private cluster, where one is installed (see postgres-server). */
const withPostgres = postgresAvailable();
let postgres: TestPostgres | undefined;
let pool: Pool | undefined;
let idleErrors: string[] = [];
let schemas = 0;
beforeAll(async () => {
  if (!withPostgres) return;
  postgres = await startPostgres();
  pool = new Pool({ connectionString: await postgres.createDatabase(), max: 4 });
  idleErrors = recordIdleErrors(pool);
}, 60_000);
// stop() gives the server 10 s to shut down (a checkpoint, slow on a busy disk) before it kills it.
afterAll(async () => {
  await pool?.end();
  expect(unexpectedIdleErrors(idleErrors)).toEqual([]);
  await postgres?.stop();
}, 30_000);

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const stores: [string, () => ContractStore][] = [
  ['MemoryEndpointStore', () => new MemoryEndpointStore()],
  ['SqliteEndpointStore', () => new SqliteEndpointStore({ path: temp.file() })],
  ...(withPostgres
    ? [
        [
          'PostgresEndpointStore',
          () => new PostgresEndpointStore({ pool: pool as Pool, schema: `client_${++schemas}` }),
        ] as [string, () => ContractStore],
      ]
    : []),
];

/** Whether `request` carries a signature that a receiver holding `secret` accepts. */
const verifiesWith = (request: RecordedRequest | undefined, secret: string): boolean =>
  verifySignature(
    {
      id: String(request?.headers['webhook-id']),
      timestamp: Number(request?.headers['webhook-timestamp']),
      body: request?.body ?? '',
    },
    String(request?.headers['webhook-signature']),
    secret,
  );

describe.each(stores)('a WebhookClient on a %s', (_, makeStore) => {
  async function setUp(status = 204) {
    const server = await startRecordingServer({ answer: () => ({ status }) });
    const store = makeStore();
    const client = new WebhookClient({ webhooks: [Subscription], endpoints: store, allowNetworks: LOOPBACK });
    cleanup.push(
      () => server.close(),
      async () => store.close?.(),
      () => client.close(),
    );
    return { server, store, client };
  }

  it('sends to the stored endpoints of the event, signed with the secret the store generated, with their headers', async () => {
    const { server, store, client } = await setUp();
    const { secret } = await store.create(
      { url: `${server.url}/in`, events: ['new-subscription'], headers: { 'x-api-key': 'k' } },
      { now: Date.now() },
    );
    await store.create({ url: `${server.url}/other`, events: ['order.placed'] }, { now: Date.now() });
    await client.send(subscription());
    await client.drain();
    expect(server.requests.map((request) => request.path)).toEqual(['/in']);
    expect(server.requests[0]?.headers['x-api-key']).toBe('k');
    expect(verifiesWith(server.requests[0], secret)).toBe(true);
  });

  it('signs with the old and the new secret during a rotation, so that either receiver accepts', async () => {
    const { server, store, client } = await setUp();
    const { endpoint, secret: old } = await store.create({ url: server.url }, { now: Date.now() });
    const { secret: next } = await store.rotateSecret(endpoint.id, { now: Date.now(), graceMs: 60_000 });
    await client.send(subscription());
    await client.drain();
    expect(verifiesWith(server.requests[0], old)).toBe(true);
    expect(verifiesWith(server.requests[0], next)).toBe(true);
  });

  it('sends nothing to a disabled endpoint, and the store disables one that answers 410 Gone', async () => {
    const { server, store, client } = await setUp(410);
    const off = await store.create({ url: `${server.url}/off`, enabled: false }, { now: Date.now() });
    const gone = await store.create({ url: `${server.url}/gone` }, { now: Date.now() });
    await client.send(subscription());
    await client.drain();
    expect(server.requests.map((request) => request.path)).toEqual(['/gone']);
    expect(await store.get(gone.endpoint.id)).toMatchObject({ enabled: false, disabledReason: 'gone' });
    expect((await store.get(off.endpoint.id))?.enabled).toBe(false);
    await client.enableEndpoint(gone.endpoint.id);
    expect(await store.get(gone.endpoint.id)).toMatchObject({ enabled: true });
  });
});
