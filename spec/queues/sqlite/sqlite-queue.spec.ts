import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DeliveryQueueError } from '../../../lib/errors';
import type { Lease, MessageRecord } from '../../../lib/delivery';
import { SqliteQueue } from '../../../lib/queues/sqlite';
import type { SqliteQueueFileOptions } from '../../../lib/queues/sqlite';
import { tempDirectory } from './temp-files';

const temp = tempDirectory('queue');
afterAll(() => temp.remove());

const open: SqliteQueue[] = [];
afterEach(async () => {
  for (const queue of open.splice(0)) await queue.close();
});

const T0 = 1_000_000_000_000;

function queueOn(path: string, options: Partial<SqliteQueueFileOptions> = {}): SqliteQueue {
  const queue = new SqliteQueue({ path, ...options });
  open.push(queue);
  return queue;
}

const message = (id: string): MessageRecord => ({ id, event: 'order.paid', body: `{"id":"${id}"}`, createdAt: T0 });

const send = (queue: SqliteQueue, id: string, endpoints: readonly string[] = ['e1'], at = T0): Promise<void> =>
  queue.enqueue(
    message(id),
    endpoints.map((endpointId) => ({ endpointId, url: `https://${endpointId}.example.com/`, nextAttemptAt: at })),
  );

const attempt = (n: number, status: number) => ({ attempt: n, startedAt: T0 + n, durationMs: 3, status });

/** Reads a pragma through a separate connection, as any other process would see the file. */
function pragma(path: string, name: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

describe('SqliteQueue persistence across close and reopen', () => {
  it('keeps pending, leased-then-expired and exhausted deliveries with their attempt logs', async () => {
    const path = temp.file();
    const first = queueOn(path);
    await send(first, 'waiting', ['e1'], T0 + 60_000);
    await send(first, 'held', ['e2']);
    await send(first, 'failed', ['e3']);
    const leases = await first.lease({ now: T0, limit: 10, leaseMs: 5_000 });
    expect(leases.map((l) => l.message.id).sort()).toEqual(['failed', 'held']);
    const failed = leases.find((l) => l.message.id === 'failed') as Lease;
    expect(await first.settle(failed, attempt(1, 500), { status: 'exhausted' })).toBe(true);
    await first.close();

    const second = queueOn(path);
    expect(await second.countPending()).toBe(2);
    expect(await second.getMessage('failed')).toEqual({
      message: message('failed'),
      deliveries: [
        {
          messageId: 'failed',
          endpointId: 'e3',
          url: 'https://e3.example.com/',
          status: 'exhausted',
          attempts: [attempt(1, 500)],
          scheduleBase: 0,
        },
      ],
    });
    // The lease taken before closing still holds until it expires, then the delivery comes back.
    expect(await second.lease({ now: T0 + 4_999, limit: 10, leaseMs: 5_000 })).toEqual([]);
    const [again] = await second.lease({ now: T0 + 5_000, limit: 10, leaseMs: 5_000 });
    expect(again?.message.id).toBe('held');
    expect(await second.nextDueAt()).toBe(T0 + 10_000);
    const stale = leases.find((l) => l.message.id === 'held') as Lease;
    expect(await second.settle(stale, attempt(1, 200), { status: 'delivered' })).toBe(false);
    expect(await second.redeliver('failed', { now: T0 + 6_000 })).toBe(1);
    // Oldest due first: the lease that expired again (due T0), the redelivery, then the delayed one.
    const due = await second.lease({ now: T0 + 60_000, limit: 10, leaseMs: 5_000 });
    expect(due.map((l) => l.message.id)).toEqual(['held', 'failed', 'waiting']);
    expect(due[1]?.delivery).toMatchObject({ scheduleBase: 1, attempts: [attempt(1, 500)] });
  });
});

describe('SqliteQueue schema', () => {
  it('creates its tables in a new file and marks it with schema version 4', async () => {
    const path = temp.file();
    await queueOn(path).close();
    expect(pragma(path, 'user_version')).toBe(4);
    const db = new Database(path, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    db.close();
    expect(tables).toEqual(['hookspec_attempts', 'hookspec_deliveries', 'hookspec_messages', 'hookspec_outbox']);
  });

  it('opens a file it created before without migrating it again', async () => {
    const path = temp.file();
    const first = queueOn(path);
    await send(first, 'm1');
    await first.close();
    expect(await queueOn(path).countPending()).toBe(1);
  });

  it('refuses a file written by a newer schema version, and leaves it untouched', () => {
    const path = temp.file();
    const db = new Database(path);
    db.pragma('user_version = 7');
    db.close();
    const open = () => new SqliteQueue({ path });
    expect(open).toThrow(DeliveryQueueError);
    expect(open).toThrow(expect.objectContaining({ code: 'unsupported-schema' }));
    expect(open).toThrow(`${path} has schema version 7, written by a newer hookspec; this version understands up to 4`);
    expect(pragma(path, 'user_version')).toBe(7);
  });

  it('names the path and the reason when the file cannot be opened', () => {
    const missingDir = temp.file('no-such-dir/queue.db');
    expect(() => new SqliteQueue({ path: missingDir })).toThrow(
      expect.objectContaining({ code: 'queue-failed', message: expect.stringContaining(`cannot open ${missingDir}`) }),
    );
    const notADatabase = temp.file('text.db');
    writeFileSync(notADatabase, 'this is not a SQLite database, just some text that is long enough '.repeat(20));
    expect(() => new SqliteQueue({ path: notADatabase })).toThrow(/cannot open .*text\.db: file is not a database/);
  });
});

describe('SqliteQueue connection settings', () => {
  it('uses WAL and synchronous FULL by default, as read back from the file and the connection', async () => {
    const path = temp.file();
    const queue = queueOn(path);
    expect(pragma(path, 'journal_mode')).toBe('wal');
    const db = (queue as unknown as { db: Database.Database }).db;
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5_000);
  });

  it.each([
    ['NORMAL', 1],
    ['OFF', 0],
  ] as const)('sets synchronous %s', (synchronous, value) => {
    const queue = queueOn(temp.file(), { synchronous });
    const db = (queue as unknown as { db: Database.Database }).db;
    expect(db.pragma('synchronous', { simple: true })).toBe(value);
  });
});

describe('SqliteQueue options', () => {
  const rejects = (options: unknown, message: RegExp, code = 'invalid-option') => {
    const make = () => new SqliteQueue(options as SqliteQueueFileOptions);
    expect(make).toThrow(DeliveryQueueError);
    expect(make).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  };

  it('refuses a missing or empty path, and :memory:', () => {
    rejects(
      undefined,
      /^new SqliteQueue\(options\) needs an options object, e\.g\. \{ path: '\.\/webhooks\.db' \}; got undefined/,
    );
    rejects({}, /path must be the database file's path, e\.g\. '\.\/webhooks\.db'; got undefined/);
    rejects({ path: '  ' }, /path must be .* got ' {2}'/);
    rejects({ path: ':memory:' }, /not durable .* use MemoryQueue/);
  });

  it('refuses an unknown option, naming the one meant', () => {
    rejects(
      { path: temp.file(), pollIntervallMs: 500 },
      /^new SqliteQueue\(options\): unknown option 'pollIntervallMs' \(did you mean 'pollIntervalMs'\?\)\. Known options: path, synchronous, retainFinished, pollIntervalMs, database\.$/,
      'unknown-option',
    );
  });

  it('refuses an unknown synchronous level and names the allowed ones', () => {
    rejects(
      { path: temp.file(), synchronous: 'full' },
      /synchronous \(upper case\) must be 'FULL' or 'NORMAL' or 'OFF', got 'full'/,
    );
    rejects({ path: temp.file(), synchronous: 'EXTRA' }, /got 'EXTRA'/);
  });

  it('refuses a negative or fractional retainFinished and a bad pollIntervalMs', () => {
    rejects({ path: temp.file(), retainFinished: -1 }, /retainFinished must be a whole number of 0 or more, got -1/);
    rejects({ path: temp.file(), retainFinished: 1.5 }, /retainFinished .* got 1\.5/);
    rejects(
      { path: temp.file(), pollIntervalMs: 0 },
      /pollIntervalMs must be a number of milliseconds above 0 .* got 0/,
    );
    rejects({ path: temp.file(), pollIntervalMs: Infinity }, /pollIntervalMs .* got Infinity/);
  });

  it('caps pollIntervalMs at the longest timer Node can set', () => {
    rejects(
      { path: temp.file(), pollIntervalMs: 3e9 },
      /pollIntervalMs .* up to 2147483647 \(about 24\.8 days\), got 3000000000/,
    );
    const queue = queueOn(temp.file(), { pollIntervalMs: 2 ** 31 - 1 });
    expect(queue.path).toMatch(/\.db$/);
  });
});

describe('SqliteQueue after close()', () => {
  it('rejects every call with a clear error, and closes twice without complaint', async () => {
    const queue = new SqliteQueue({ path: temp.file() });
    await queue.close();
    await queue.close();
    const closed = expect.objectContaining({ code: 'queue-closed', message: expect.stringMatching(/is closed/) });
    await expect(send(queue, 'm1')).rejects.toEqual(closed);
    await expect(queue.lease({ now: T0, limit: 1, leaseMs: 1 })).rejects.toEqual(closed);
    await expect(queue.countPending()).rejects.toEqual(closed);
    await expect(queue.nextDueAt()).rejects.toEqual(closed);
    await expect(queue.getMessage('m1')).rejects.toEqual(closed);
    await expect(queue.redeliver('m1', { now: T0 })).rejects.toEqual(closed);
    expect(() => queue.watch(() => undefined)).toThrow(/SqliteQueue watch\(\): the queue on .* is closed/);
  });
});

describe('SqliteQueue group commit', () => {
  it('commits concurrent enqueues together, and rejects only the one with a duplicate id', async () => {
    const queue = queueOn(temp.file());
    const results = await Promise.allSettled([send(queue, 'a'), send(queue, 'b'), send(queue, 'a'), send(queue, 'c')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'duplicate-message' });
    expect(await queue.countPending()).toBe(3);
    expect((await queue.lease({ now: T0, limit: 10, leaseMs: 1_000 })).map((l) => l.message.id)).toEqual([
      'a',
      'b',
      'c',
    ]);
  });
});

describe('SqliteQueue when an endpoint without capacity holds the oldest work', () => {
  it('still leases and reports the other endpoints, past the first index pass', async () => {
    const queue = queueOn(temp.file(), { synchronous: 'OFF' });
    await Promise.all(Array.from({ length: 300 }, (_, n) => send(queue, `slow-${n}`, ['slow'], T0 + n)));
    await send(queue, 'fast-1', ['fast'], T0 + 500);
    await send(queue, 'fast-2', ['fast'], T0 + 400);
    const capacity = (endpointId: string) => (endpointId === 'slow' ? 0 : 5);
    expect(await queue.nextDueAt(capacity)).toBe(T0 + 400);
    const leases = await queue.lease({ now: T0 + 1_000, limit: 3, leaseMs: 1_000, endpointCapacity: capacity });
    expect(leases.map((l) => l.message.id)).toEqual(['fast-2', 'fast-1']);
    const oneSlow = (endpointId: string) => (endpointId === 'slow' ? 1 : 0);
    const [slow, ...none] = await queue.lease({ now: T0 + 1_000, limit: 3, leaseMs: 1_000, endpointCapacity: oneSlow });
    expect([slow?.message.id, none]).toEqual(['slow-0', []]);
  });
});

describe('SqliteQueue retention of finished messages', () => {
  const finish = async (queue: SqliteQueue, id: string, status: 'delivered' | 'exhausted' = 'delivered') => {
    const leases = await queue.lease({ now: T0 + 10, limit: 100, leaseMs: 1_000 });
    for (const lease of leases) {
      const done = lease.message.id === id;
      await queue.settle(
        lease,
        done ? attempt(1, 200) : undefined,
        done ? { status } : { status: 'pending', nextAttemptAt: T0 },
      );
    }
  };

  it('keeps the last retainFinished finished messages, with their attempts, and drops older ones whole', async () => {
    const path = temp.file();
    const queue = queueOn(path, { retainFinished: 2 });
    for (const id of ['m1', 'm2', 'm3', 'm4']) await send(queue, id);
    for (const id of ['m2', 'm1', 'm4']) await finish(queue, id);
    expect(await queue.getMessage('m2')).toBeUndefined();
    expect((await queue.getMessage('m1'))?.deliveries[0]?.attempts).toHaveLength(1);
    expect(await queue.getMessage('m3')).toMatchObject({ message: { id: 'm3' } });
    expect(await queue.redeliver('m2', { now: T0 })).toBe(0);
    const db = new Database(path, { readonly: true });
    const counts = db
      .prepare(
        'SELECT (SELECT COUNT(*) FROM hookspec_messages), (SELECT COUNT(*) FROM hookspec_deliveries), ' +
          '(SELECT COUNT(*) FROM hookspec_attempts)',
      )
      .raw()
      .get();
    db.close();
    expect(counts).toEqual([3, 3, 2]);
  });

  it('takes a redelivered message out of retention until it finishes again', async () => {
    const queue = queueOn(temp.file(), { retainFinished: 1 });
    await send(queue, 'retried');
    await finish(queue, 'retried', 'exhausted');
    expect(await queue.redeliver('retried', { now: T0 })).toBe(1);
    for (const id of ['m1', 'm2']) {
      await send(queue, id);
      await finish(queue, id);
    }
    expect((await queue.getMessage('retried'))?.deliveries[0]?.status).toBe('pending');
    expect(await queue.getMessage('m1')).toBeUndefined();
    await finish(queue, 'retried');
    expect(await queue.getMessage('m2')).toBeUndefined();
    expect((await queue.getMessage('retried'))?.deliveries[0]).toMatchObject({ status: 'delivered', scheduleBase: 1 });
  });
});

describe('SqliteQueue.watch()', () => {
  it('calls back when another connection writes to the file, and not for its own writes', async () => {
    const path = temp.file();
    const worker = queueOn(path, { pollIntervalMs: 20 });
    const producer = queueOn(path);
    let calls = 0;
    const stop = worker.watch(() => (calls += 1));
    await send(worker, 'own');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(0);
    await send(producer, 'theirs');
    for (let n = 0; n < 50 && calls === 0; n += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls).toBe(1);
    stop();
    await send(producer, 'after-stop');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(calls).toBe(1);
  });
});
