// The five sides of bench/queues.ts. Each round builds its client (or bare BullMQ queue and worker) and
// queue before the clock starts and closes them after it stops, so every side starts from an empty queue
// and opens its connections inside its time.
import { rmSync } from 'node:fs';
import { Agent as HttpAgent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import { Queue, Worker } from 'bullmq';
import { MemoryQueue, WebhookClient } from '../lib';
import { BullMqQueue } from '../lib/queues/bullmq';
import { SqliteQueue } from '../lib/queues/sqlite';
import type { DeliveryQueue } from '../lib';
import { OrderPlaced, type RawRequest } from './order-placed';
import type { RedisProcess } from './redis-process';

export const CONCURRENCY = 64;
/**
 * Sends in flight at once, as a web server's concurrent requests would make them: every side gets the
 * same producers, and a durable queue may commit what arrives together at once (SQLite's group commit).
 */
export const PRODUCERS = 64;

/** Runs `each` over `items` with at most `limit` calls in flight, in order of start. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  each: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await each(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
/** Closing takes milliseconds: a side that takes this long to close is stuck, and the run fails. */
export const CLOSE_TIMEOUT_MS = 15_000;
const BARE_QUEUE_NAME = 'bench-bare';

export type SideName = 'memory' | 'sqlite-full' | 'sqlite-normal' | 'bullmq' | 'bullmq-bare';

/** A server whose CPU time a round counts (redis-server, PostgreSQL). */
export interface ServerClock {
  /** CPU time so far, user + system, in milliseconds; undefined where it cannot be read. */
  cpuMs(): number | undefined;
}

export interface RoundContext {
  readonly receiverUrl: string;
  readonly events: readonly OrderPlaced[];
  readonly secret: string;
  /** The bare side's requests, pre-serialised and pre-signed, built before its clock starts. */
  readonly rawRequests: () => RawRequest[];
  /** Set for the BullMQ sides. */
  readonly redis: RedisProcess | undefined;
  /** The server the side stores its queue in, whose CPU time the round counts (Redis, PostgreSQL). */
  readonly server: ServerClock | undefined;
  /** Where SQLite files go; removed at the end of the run. */
  readonly tempDir: string;
  readonly round: string;
  readonly deadlineMs: number;
}

export interface Round {
  /** From the first send (or add) to the last delivery. */
  readonly ms: number;
  /** CPU time of this (the sending) process over the round, user + system. */
  readonly cpuMs: number;
  /** CPU time the queue's server (redis-server, PostgreSQL) spent over the round (Linux only). */
  readonly serverCpuMs?: number;
  /** From the first send (or add) to the last one resolving: accepted by the queue. */
  readonly acceptedMs: number;
  /** TCP connections the receiver accepted during the round; set by the caller. */
  readonly connections?: number;
}

export interface Side {
  readonly name: SideName;
  readonly label: string;
  readonly needsRedis: boolean;
  run(context: RoundContext): Promise<Round>;
}

/** Starts the round's clocks: wall time, this process's CPU time, and the queue server's when there is one. */
export function startClock(server: ServerClock | undefined): () => Omit<Round, 'acceptedMs'> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const serverStart = server?.cpuMs();
  return () => {
    const used = process.cpuUsage(cpu);
    const serverEnd = server?.cpuMs();
    return {
      ms: performance.now() - start,
      cpuMs: (used.user + used.system) / 1000,
      ...(serverStart !== undefined && serverEnd !== undefined ? { serverCpuMs: serverEnd - serverStart } : {}),
    };
  };
}

/** `work`, or a loud failure when it takes longer than `ms`; `what` says how far it got. */
export async function within<T>(work: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what())), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function needsRedis(context: RoundContext): RedisProcess {
  if (!context.redis) throw new Error('a BullMQ side ran without the Redis server the run should have started');
  return context.redis;
}

/** One WebhookClient round on `queue`: the events sent one after the other, then drain(). */
export async function clientRound(name: string, queue: DeliveryQueue, context: RoundContext): Promise<Round> {
  const { events } = context;
  let client: WebhookClient;
  try {
    client = new WebhookClient({
      webhooks: [OrderPlaced],
      endpoints: [{ url: context.receiverUrl, secret: context.secret }],
      allowNetworks: ['127.0.0.0/8'],
      concurrency: CONCURRENCY,
      endpointConcurrency: CONCURRENCY,
      retry: { schedule: [] },
      queue,
    });
  } catch (error) {
    await queue.close();
    throw error;
  }
  let delivered = 0;
  const failures: string[] = [];
  client.on('delivered', () => (delivered += 1));
  client.on('exhausted', (event) => failures.push(event.reason));
  client.on('error', (error) => failures.push(error.message));
  try {
    const stop = startClock(context.server);
    const start = performance.now();
    let acceptedMs = 0;
    const work = async (): Promise<void> => {
      await inParallel(events, PRODUCERS, (event) => client.send(event));
      acceptedMs = performance.now() - start;
      await client.drain();
    };
    await within(
      work(),
      context.deadlineMs,
      () =>
        `${name}, ${context.round}: not done within the ${context.deadlineMs / 1000} s deadline; ` +
        `${delivered} of ${events.length} delivered, ${failures.length} failed ` +
        `(${failures.slice(0, 3).join('; ')}). Raise --deadline=SECONDS or lower --events=N if the machine is slow.`,
    );
    const round = stop();
    if (delivered !== events.length || failures.length > 0) {
      throw new Error(
        `${name}: delivered ${delivered} of ${events.length}; ` +
          `${failures.length} failed (${failures.slice(0, 3).join('; ')})`,
      );
    }
    return { ...round, acceptedMs };
  } finally {
    await within(client.close(), CLOSE_TIMEOUT_MS, () => `${name}: client.close() did not finish`);
  }
}

export const memorySide: Side = {
  name: 'memory',
  label: 'WebhookClient + `MemoryQueue`',
  needsRedis: false,
  run: (context) => clientRound('memory', new MemoryQueue(), context),
};

function sqliteSide(synchronous: 'FULL' | 'NORMAL'): Side {
  const name: SideName = synchronous === 'FULL' ? 'sqlite-full' : 'sqlite-normal';
  return {
    name,
    label: `WebhookClient + \`SqliteQueue\` (synchronous ${synchronous})`,
    needsRedis: false,
    async run(context) {
      // A new file each round, so every round starts from an empty database.
      const path = join(context.tempDir, `${name}-${context.round.replace(/\W+/g, '-')}.db`);
      try {
        return await clientRound(name, new SqliteQueue({ path, synchronous }), context);
      } finally {
        for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
      }
    },
  };
}

const bullMqSide: Side = {
  name: 'bullmq',
  label: 'WebhookClient + `BullMqQueue` (its own worker)',
  needsRedis: true,
  async run(context) {
    const redis = needsRedis(context);
    const queue = new BullMqQueue({ connection: redis.connection, name: 'bench-hookspec' });
    return clientRound('bullmq', queue, context);
  },
};

/**
 * What a user would write by hand: `Queue.add` of the pre-serialised, pre-signed requests, one after the
 * other, and a BullMQ `Worker` at the same concurrency whose processor POSTs each with axios on a
 * keep-alive agent (as bench/send.ts's raw axios side does). Completed jobs are removed, as BullMQ's
 * docs advise for production; a failed job fails the round.
 */
const bareBullMqSide: Side = {
  name: 'bullmq-bare',
  label: 'bare BullMQ `Queue.add` + `Worker` + axios',
  needsRedis: true,
  async run(context) {
    const redis = needsRedis(context);
    const requests = context.rawRequests();
    const total = requests.length;
    const agent = new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });
    const http = axios.create({ httpAgent: agent, maxRedirects: 0, proxy: false });
    const queue = new Queue<RawRequest>(BARE_QUEUE_NAME, {
      connection: redis.connection,
      defaultJobOptions: { removeOnComplete: true },
    });
    let completed = 0;
    let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const allCompleted = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // A job may fail before the round awaits this: the rejection is kept, not reported as unhandled.
    allCompleted.catch(() => undefined);
    const worker = new Worker<RawRequest>(
      BARE_QUEUE_NAME,
      async (job) => {
        const response = await http.post(context.receiverUrl, Buffer.from(job.data.body, 'utf8'), {
          headers: job.data.headers,
        });
        if (response.status !== 204) throw new Error(`HTTP ${response.status}`);
      },
      { connection: redis.connection, concurrency: CONCURRENCY },
    );
    worker.on('completed', () => {
      completed += 1;
      if (completed === total) settle?.resolve();
    });
    worker.on('failed', (job, error) =>
      settle?.reject(new Error(`bullmq-bare: job ${job?.id} failed: ${error.message}`)),
    );
    worker.on('error', (error) => settle?.reject(new Error(`bullmq-bare: the worker failed: ${error.message}`)));
    try {
      const stop = startClock(context.server);
      const start = performance.now();
      let acceptedMs = 0;
      const work = async (): Promise<void> => {
        await inParallel(requests, PRODUCERS, (request) => queue.add('order-placed', request));
        acceptedMs = performance.now() - start;
        await allCompleted;
      };
      await within(
        work(),
        context.deadlineMs,
        () =>
          `bullmq-bare, ${context.round}: not done within the ${context.deadlineMs / 1000} s deadline; ` +
          `${completed} of ${total} delivered. Raise --deadline=SECONDS or lower --events=N if the machine is slow.`,
      );
      return { ...stop(), acceptedMs };
    } finally {
      await within(
        Promise.all([worker.close(), queue.close()]),
        CLOSE_TIMEOUT_MS,
        () => 'bullmq-bare: the worker and queue did not close',
      );
      agent.destroy();
    }
  },
};

export const SIDES: readonly Side[] = [
  memorySide,
  sqliteSide('FULL'),
  sqliteSide('NORMAL'),
  bullMqSide,
  bareBullMqSide,
];
