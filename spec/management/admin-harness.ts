import { MemoryEndpointStore, MemoryQueue, WebhookAdmin, WebhookClient } from 'hookspec';
import type { DeliveryQueue, WebhookAdminOptions, WebhookClientOptions, WritableEndpointStore } from 'hookspec';
import { SqliteEndpointStore, SqliteQueue } from '../../lib/queues/sqlite';
import { tempDirectory } from '../queues/sqlite/temp-files';
import { startRecordingServer } from '../support/recording-server';
import type { Answer, RecordedRequest, RecordingServer } from '../support/recording-server';
import { LOOPBACK, WEBHOOKS } from './fixtures';

/** Where a backend keeps endpoints and messages. */
export interface Backend {
  readonly name: string;
  parts(): { endpoints: WritableEndpointStore; queue: DeliveryQueue; cleanup?: () => Promise<void> };
}

export const MEMORY: Backend = {
  name: 'memory',
  parts: () => ({ endpoints: new MemoryEndpointStore(), queue: new MemoryQueue() }),
};

/** Endpoints and messages in one SQLite file, as an app on one machine keeps them; the file is removed after. */
export const SQLITE: Backend = {
  name: 'sqlite',
  parts: () => {
    const temp = tempDirectory('admin');
    const path = temp.file('webhooks.db');
    const endpoints = new SqliteEndpointStore({ path });
    return {
      endpoints,
      queue: new SqliteQueue({ path, pollIntervalMs: 25 }),
      cleanup: async () => {
        await endpoints.close();
        temp.remove();
      },
    };
  },
};

export const BACKENDS: readonly Backend[] = [MEMORY, SQLITE];

export interface Harness {
  readonly client: WebhookClient<typeof WEBHOOKS>;
  readonly admin: WebhookAdmin;
  readonly endpoints: WritableEndpointStore;
  readonly server: RecordingServer;
}

const cleanups: (() => Promise<void> | void)[] = [];

/** Stops everything the harnesses of a test started, the last one first; call it in afterEach. */
export async function stopHarnesses(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await step();
}

/**
 * A client on the backend's store and queue (loopback allowed), an admin over it, and a loopback receiver
 * answering with `answer` (default 204).
 */
export async function startHarness(
  backend: Backend,
  options: {
    client?: Partial<WebhookClientOptions<typeof WEBHOOKS>>;
    admin?: WebhookAdminOptions;
    answer?: (request: RecordedRequest, countOnPath: number) => Answer;
  } = {},
): Promise<Harness> {
  const server = await startRecordingServer(options.answer ? { answer: options.answer } : {});
  cleanups.push(() => server.close());
  const { endpoints, queue, cleanup } = backend.parts();
  if (cleanup) cleanups.push(cleanup);
  const client = new WebhookClient({
    webhooks: WEBHOOKS,
    endpoints,
    queue,
    allowNetworks: LOOPBACK,
    ...options.client,
  });
  cleanups.push(() => client.close());
  const admin = new WebhookAdmin(client, options.admin);
  cleanups.push(() => admin.close());
  return { client, admin, endpoints, server };
}

/**
 * Waits for the clock to pass the current millisecond: lists order by `createdAt`, then by (random) id, so
 * items a test expects in order must not share a millisecond.
 */
export async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  while (Date.now() <= now) await new Promise((resolve) => setTimeout(resolve, 1));
}

/** Polls `check` every 10 ms until it holds, for at most `timeoutMs`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
