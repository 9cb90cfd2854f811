import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { EndpointStats, MessageQuery, MessageView } from '../../../lib/delivery';
import { SqliteQueue } from '../../../lib/queues/sqlite';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../lib/queues/sqlite/sqlite-schema';
import { tempDirectory } from './temp-files';

/** What SqliteQueue wrote and answered at schema version 2: see its `about`. */
interface Version2File {
  readonly rows: Record<string, Record<string, unknown>[]>;
  readonly views: Record<string, MessageView>;
  readonly queries: [MessageQuery, string[]][];
  readonly stats: Record<string, EndpointStats>;
  readonly countPending: number;
  readonly nextDueAt: number;
}

const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'schema-v2.json'), 'utf8')) as Version2File;
const temp = tempDirectory('upgrade-v2');
afterAll(() => temp.remove());

const open: SqliteQueue[] = [];
afterEach(async () => {
  for (const queue of open.splice(0)) await queue.close();
});

/** The file: its tables as versions 1 and 2 made them, its rows as version 2 wrote them. */
function writeVersion2File(): string {
  const path = temp.file();
  const db = new Database(path);
  db.exec(MIGRATIONS[0] as string);
  db.exec(MIGRATIONS[1] as string);
  db.pragma('user_version = 2');
  for (const [table, rows] of Object.entries(fixture.rows)) {
    for (const row of rows) {
      const columns = Object.keys(row);
      db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run(
        row,
      );
    }
  }
  db.close();
  return path;
}

function upgraded(): { queue: SqliteQueue; path: string } {
  const path = writeVersion2File();
  const queue = new SqliteQueue({ path });
  open.push(queue);
  return { queue, path };
}

function read<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe('SqliteQueue on a file written at schema version 2', () => {
  it("upgrades it: the message index on deliveries is gone, each message holds its deliveries' range", () => {
    const { path } = upgraded();
    expect(read(path, 'PRAGMA user_version')).toEqual([{ user_version: SCHEMA_VERSION }]);
    const indexes = read<{ name: string }>(path, "SELECT name FROM sqlite_master WHERE type = 'index'");
    expect(indexes.map((index) => index.name)).not.toContain('hookspec_deliveries_message');
    const ranges = read<{ id: string; first_seq: number; last_seq: number; low: number; high: number; n: number }>(
      path,
      'SELECT id, first_seq, last_seq, ' +
        '(SELECT MIN(seq) FROM hookspec_deliveries WHERE message_id = id) AS low, ' +
        '(SELECT MAX(seq) FROM hookspec_deliveries WHERE message_id = id) AS high, ' +
        '(SELECT COUNT(*) FROM hookspec_deliveries WHERE message_id = id) AS n FROM hookspec_messages',
    );
    expect(ranges).toHaveLength(10);
    for (const range of ranges) {
      expect([range.first_seq, range.last_seq]).toEqual([range.low, range.high]);
      expect(range.last_seq - range.first_seq + 1).toBe(range.n);
    }
  });

  it('shows every message as version 2 did: body, owner, erasure, deliveries, attempt logs', async () => {
    const { queue } = upgraded();
    for (const [id, view] of Object.entries(fixture.views)) expect(await queue.getMessage(id)).toEqual(view);
  });

  it('answers every history query, the stats, the pending count and the next due time as version 2 did', async () => {
    const { queue } = upgraded();
    for (const [query, ids] of fixture.queries) {
      const page = await queue.queryMessages(query);
      expect([query, page.items.map((item) => item.message.id)]).toEqual([query, ids]);
    }
    for (const [endpointId, stats] of Object.entries(fixture.stats)) {
      expect(await queue.endpointStats(endpointId, { since: 0, until: 1_000 })).toEqual(stats);
    }
    expect(await queue.countPending()).toBe(fixture.countPending);
    expect(await queue.nextDueAt()).toBe(fixture.nextDueAt);
  });

  it('goes on: leases and settles the old deliveries, erases, enqueues after them, and prunes by range', async () => {
    const { queue, path } = upgraded();
    const leases = await queue.lease({ now: 10_000, limit: 100, leaseMs: 1_000 });
    expect(leases.map((lease) => `${lease.message.id}/${lease.delivery.endpointId}`).sort()).toEqual([
      'later/e2',
      'redelivered/e1',
      'split/e2',
      'twice/e2',
      'waiting/e1',
      'waiting/e3',
    ]);
    for (const lease of leases) {
      const attempt = { attempt: lease.delivery.attempts.length + 1, startedAt: 10_000, durationMs: 2, status: 200 };
      expect(await queue.settle(lease, attempt, { status: 'delivered' })).toBe(true);
    }
    expect((await queue.getMessage('split'))?.deliveries.map((d) => [d.status, d.attempts.length])).toEqual([
      ['delivered', 1],
      ['delivered', 2],
    ]);
    // The last one still leased (until 61,000) is erased: cancelled, so its message is finished too.
    expect(await queue.erasePayload('leased', { now: 11_000 })).toBe(true);
    expect((await queue.getMessage('leased'))?.deliveries.map((d) => d.status)).toEqual(['cancelled']);
    expect(await queue.countPending()).toBe(0);

    await queue.enqueue({ id: 'new', event: 'order.paid', body: '{}', createdAt: 12_000 }, [
      { endpointId: 'e1', url: 'https://e1.example.com/', nextAttemptAt: 12_000 },
      { endpointId: 'e2', url: 'https://e2.example.com/', nextAttemptAt: 12_000 },
    ]);
    expect((await queue.getMessage('new'))?.deliveries.map((d) => [d.endpointId, d.status])).toEqual([
      ['e1', 'pending'],
      ['e2', 'pending'],
    ]);
    const highest = Math.max(...(fixture.rows.hookspec_deliveries ?? []).map((row) => row.seq as number));
    expect(read(path, "SELECT seq FROM hookspec_deliveries WHERE message_id = 'new' ORDER BY seq")).toEqual([
      { seq: highest + 1 },
      { seq: highest + 2 },
    ]);

    expect(await queue.prune({ keepMessages: 0 })).toBe(10);
    expect(read(path, 'SELECT message_id, COUNT(*) AS n FROM hookspec_deliveries GROUP BY message_id')).toEqual([
      { message_id: 'new', n: 2 },
    ]);
    expect(read(path, 'SELECT COUNT(*) AS n FROM hookspec_attempts')).toEqual([{ n: 0 }]);
  });
});
