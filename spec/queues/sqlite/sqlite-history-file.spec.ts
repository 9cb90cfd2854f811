import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteQueue } from '../../../lib/queues/sqlite';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../lib/queues/sqlite/sqlite-schema';
import { tempDirectory } from './temp-files';

const temp = tempDirectory('history-file');
afterAll(() => temp.remove());

const attempt = (n: number, startedAt: number, status: number) => ({ attempt: n, startedAt, durationMs: 4, status });

/** A file as hookspec wrote it with schema version 1: a message in each state, with attempt logs. */
function writeVersion1File(path: string): void {
  const db = new Database(path);
  db.exec(MIGRATIONS[0] as string);
  db.pragma('user_version = 1');
  const message = db.prepare('INSERT INTO hookspec_messages (id, event, body, created_at) VALUES (?, ?, ?, ?)');
  const delivery = db.prepare(
    'INSERT INTO hookspec_deliveries (seq, message_id, endpoint_id, url, status, schedule_base, attempt_count, next_attempt_at) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const log = db.prepare('INSERT INTO hookspec_attempts (delivery_seq, attempt_index, record) VALUES (?, ?, ?)');
  message.run('failing', 'order.paid', '{"n":1}', 100);
  delivery.run(1, 'failing', 'e1', 'https://e1.example.com/', 'pending', 0, 1, 5_000);
  log.run(1, 0, JSON.stringify(attempt(1, 150, 503)));
  message.run('delivered', 'order.paid', '{"n":2}', 200);
  delivery.run(2, 'delivered', 'e1', 'https://e1.example.com/', 'delivered', 0, 1, null);
  log.run(2, 0, JSON.stringify(attempt(1, 250, 200)));
  message.run('redelivered', 'order.refunded', '{"n":3}', 300);
  delivery.run(3, 'redelivered', 'e1', 'https://e1.example.com/', 'pending', 1, 1, 5_000);
  log.run(3, 0, JSON.stringify(attempt(1, 350, 500)));
  message.run('waiting', 'order.paid', '{"n":4}', 400);
  delivery.run(4, 'waiting', 'e2', 'https://e2.example.com/', 'pending', 0, 0, 1_000);
  db.close();
}

describe('SqliteQueue on a file of schema version 1', () => {
  it('migrates it to the current version and keeps every message, delivery and attempt', async () => {
    const path = temp.file();
    writeVersion1File(path);
    const queue = new SqliteQueue({ path });
    try {
      const db = new Database(path, { readonly: true });
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      db.close();
      expect(await queue.getMessage('failing')).toEqual({
        message: { id: 'failing', event: 'order.paid', body: '{"n":1}', createdAt: 100 },
        deliveries: [
          {
            messageId: 'failing',
            endpointId: 'e1',
            url: 'https://e1.example.com/',
            status: 'pending',
            attempts: [attempt(1, 150, 503)],
            scheduleBase: 0,
            nextAttemptAt: 5_000,
          },
        ],
      });
      expect(await queue.countPending()).toBe(3);
    } finally {
      await queue.close();
    }
  });

  it('fills the history columns: states, times and owners of the old rows', async () => {
    const path = temp.file();
    writeVersion1File(path);
    const queue = new SqliteQueue({ path });
    try {
      const ids = async (query: Parameters<SqliteQueue['queryMessages']>[0]) =>
        (await queue.queryMessages(query)).items.map((item) => item.message.id);
      expect(await ids({})).toEqual(['waiting', 'redelivered', 'delivered', 'failing']);
      expect(await ids({ owner: null })).toEqual(['waiting', 'redelivered', 'delivered', 'failing']);
      expect(await ids({ owner: 'acme' })).toEqual([]);
      expect(await ids({ status: 'failing' })).toEqual(['failing']);
      expect(await ids({ status: 'pending' })).toEqual(['waiting', 'redelivered']);
      expect(await ids({ endpointId: 'e1', since: 150, until: 400 })).toEqual(['redelivered', 'delivered']);
      expect(await ids({ event: 'order.refunded' })).toEqual(['redelivered']);
      expect(await queue.endpointStats('e1', { since: 0, until: 1_000 })).toEqual({
        endpointId: 'e1',
        since: 0,
        until: 1_000,
        pending: 1,
        failing: 1,
        delivered: 1,
        exhausted: 0,
        disabled: 0,
        lastSuccessAt: 250,
        lastFailureAt: 350,
      });
      const leases = await queue.lease({ now: 1_000, limit: 10, leaseMs: 1_000 });
      expect(leases.map((lease) => lease.message.id)).toEqual(['waiting']);
    } finally {
      await queue.close();
    }
  });
});

describe('SqliteQueue history across close and reopen', () => {
  it('keeps owners, erasures and states, and takes a cursor made before the reopen', async () => {
    const path = temp.file();
    const first = new SqliteQueue({ path });
    for (let n = 0; n < 5; n += 1) {
      await first.enqueue({ id: `m${n}`, event: 'order.paid', body: `{"n":${n}}`, createdAt: 100 + n, owner: 'acme' }, [
        { endpointId: 'e1', url: 'https://e1.example.com/', nextAttemptAt: 1_000 },
      ]);
    }
    expect(await first.erasePayload('m3', { now: 2_000 })).toBe(true);
    const page = await first.queryMessages({ owner: 'acme', limit: 2 });
    expect(page.items.map((item) => item.message.id)).toEqual(['m4', 'm3']);
    await first.close();

    const second = new SqliteQueue({ path });
    try {
      const rest = await second.queryMessages({ owner: 'acme', limit: 2, cursor: page.nextCursor as string });
      expect(rest.items.map((item) => item.message.id)).toEqual(['m2', 'm1']);
      expect((await second.getMessage('m3'))?.message).toEqual({
        id: 'm3',
        event: 'order.paid',
        body: '',
        createdAt: 103,
        owner: 'acme',
        erasedAt: 2_000,
      });
      expect((await second.queryMessages({ status: 'cancelled' })).items.map((item) => item.message.id)).toEqual([
        'm3',
      ]);
      expect(await second.countPending()).toBe(4);
    } finally {
      await second.close();
    }
  });
});

describe('SqliteQueue prune on file', () => {
  it('deletes the pruned messages’ delivery rows and attempt rows, and no others', async () => {
    const path = temp.file();
    const queue = new SqliteQueue({ path });
    try {
      for (const [id, at] of [
        ['old', 100],
        ['new', 200],
      ] as const) {
        await queue.enqueue({ id, event: 'order.paid', body: '{}', createdAt: at }, [
          { endpointId: 'e1', url: 'https://e1.example.com/', nextAttemptAt: 1_000 },
          { endpointId: 'e2', url: 'https://e2.example.com/', nextAttemptAt: 1_000 },
        ]);
      }
      for (const lease of await queue.lease({ now: 1_000, limit: 10, leaseMs: 1_000 })) {
        await queue.settle(lease, attempt(1, 1_000, 200), { status: 'delivered' });
      }
      expect(await queue.prune({ olderThan: 150 })).toBe(1);
      const db = new Database(path, { readonly: true });
      const count = (sql: string) => db.prepare(sql).pluck().get();
      expect(count('SELECT COUNT(*) FROM hookspec_messages')).toBe(1);
      expect(count("SELECT COUNT(*) FROM hookspec_deliveries WHERE message_id = 'old'")).toBe(0);
      expect(count("SELECT COUNT(*) FROM hookspec_deliveries WHERE message_id = 'new'")).toBe(2);
      expect(count('SELECT COUNT(*) FROM hookspec_attempts')).toBe(2);
      db.close();
    } finally {
      await queue.close();
    }
  });
});
