import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMessageQuery } from '../../../lib/delivery/history-query';
import type { MessageQuery } from '../../../lib/delivery';
import { SqliteQueue } from '../../../lib/queues/sqlite';
import { build } from '../../../lib/queues/sqlite/sqlite-history-query';
import { prepareStatements } from '../../../lib/queues/sqlite/sqlite-statements';
import { tempDirectory } from './temp-files';

const temp = tempDirectory('explain');
let db: Database.Database;

beforeAll(async () => {
  const path = temp.file();
  const queue = new SqliteQueue({ path });
  // Some rows, so that the plans are those of a used file rather than of empty tables.
  for (let n = 0; n < 200; n += 1) {
    await queue.enqueue(
      { id: `m${n}`, event: `event-${n % 4}`, body: '{}', createdAt: n, ...(n % 3 ? { owner: `owner-${n % 7}` } : {}) },
      [{ endpointId: `ep-${n % 5}`, url: 'https://example.com/', nextAttemptAt: n }],
    );
  }
  await queue.close();
  db = new Database(path);
  db.exec('ANALYZE');
});

afterAll(() => {
  db?.close();
  temp.remove();
});

/** The detail lines of EXPLAIN QUERY PLAN. */
function plan(sql: string, params: readonly unknown[]): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail);
}

/** Every read of a hookspec table goes through an index: no `SCAN table` without one. */
function expectIndexed(details: readonly string[], index: RegExp): void {
  const reads = details.filter((d) => /hookspec_(messages|deliveries|attempts)/.test(d));
  expect(reads.length).toBeGreaterThan(0);
  for (const read of reads) expect(read).toMatch(/USING (COVERING )?INDEX|USING (INTEGER )?PRIMARY KEY/);
  expect(details.join('\n')).toMatch(index);
}

describe('SqliteQueue history queries use an index for every shape', () => {
  it.each<[string, MessageQuery, RegExp]>([
    ['every message', {}, /INDEX hookspec_messages_created\b/],
    ['by owner', { owner: 'owner-1' }, /INDEX hookspec_messages_owner\b/],
    ['without an owner', { owner: null }, /INDEX hookspec_messages_owner\b/],
    ['by owner and event', { owner: 'owner-1', event: 'event-1' }, /INDEX hookspec_messages_owner\b/],
    ['by owner in a window', { owner: 'owner-1', since: 10, until: 90 }, /INDEX hookspec_messages_owner\b/],
    ['by event', { event: 'event-1' }, /INDEX hookspec_messages_created\b/],
    ['by endpoint', { endpointId: 'ep-1' }, /INDEX hookspec_deliveries_endpoint\b/],
    ['by endpoint and status', { endpointId: 'ep-1', status: 'failing' }, /INDEX hookspec_deliveries_endpoint_state\b/],
    ['by status', { status: 'exhausted' }, /INDEX hookspec_deliveries_state\b/],
    ['by owner and status', { owner: 'owner-1', status: 'failing' }, /INDEX hookspec_deliveries_owner_state\b/],
    ['delivered ones (left out of the state indexes)', { status: 'delivered' }, /INDEX hookspec_messages_created\b/],
    ["an owner's delivered ones", { owner: 'owner-1', status: 'delivered' }, /INDEX hookspec_messages_owner\b/],
    [
      "an endpoint's delivered ones",
      { endpointId: 'ep-1', status: 'delivered' },
      /INDEX hookspec_deliveries_endpoint\b/,
    ],
    ['by owner, event and status', { owner: 'owner-1', event: 'event-1', status: 'failing' }, /hookspec_deliveries_/],
  ])('lists %s through an index, in index order, with no sort', (_, query, index) => {
    const { sql, params } = build(checkMessageQuery(query, 'spec'));
    const details = plan(sql, params);
    expectIndexed(details, index);
    expect(details.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  it('seeks to the cursor rather than walking to it', () => {
    const query = checkMessageQuery({ owner: 'owner-1' }, 'spec');
    const { sql, params } = build({ ...query, after: { createdAt: 5, id: 'm5' } });
    expect(sql).toContain('(m.created_at, m.id) < (?, ?)');
    expectIndexed(
      plan(sql, params),
      /SEARCH m USING (COVERING )?INDEX hookspec_messages_owner \(owner=\? AND \(created_at,id\)<\(\?,\?\)\)/,
    );
  });

  it('counts an endpoint’s stats and finds what recover resets through indexes', () => {
    const s = prepareStatements(db);
    expectIndexed(plan(s.stats.source, ['ep-1', 0, 100]), /INDEX hookspec_deliveries_endpoint\b/);
    expectIndexed(plan(s.recover.source, [1, 'ep-1', 0, 100]), /INDEX hookspec_deliveries_endpoint_state\b/);
  });

  it('finds what prune deletes, and its deliveries and attempts, through indexes', () => {
    const s = prepareStatements(db);
    expectIndexed(plan(s.finishedBefore.source, [50]), /hookspec_messages_(created|finished)/);
    expectIndexed(plan(s.finishedBeyond.source, [10]), /hookspec_messages_(created|finished)/);
    expectIndexed(plan(s.pruneMessages.source, [10]), /INDEX hookspec_messages_finished\b/);
    expectIndexed(plan(s.deleteMessage.source, ['m1']), /INDEX sqlite_autoindex_hookspec_messages_1\b/);
    // A message's deliveries and their attempts are ranges of the primary keys (schema version 3).
    expectIndexed(plan(s.deleteDeliveriesIn.source, [1, 2]), /INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
    expectIndexed(plan(s.deleteAttemptsIn.source, [1, 2]), /PRIMARY KEY \(delivery_seq>\? AND delivery_seq<\?\)/);
    expectIndexed(plan(s.cancelPending.source, [1, 2]), /INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
  });

  it('finds what the write path reads and changes through indexes or primary keys', () => {
    const s = prepareStatements(db);
    const rowidRange = /INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/;
    expectIndexed(plan(s.deliveriesOf.source, [1, 2]), rowidRange);
    expectIndexed(plan(s.finishIfDone.source, ['m1']), rowidRange);
    expectIndexed(plan(s.redeliver.source, [1, 1, 2, 0, null, null]), rowidRange);
    expectIndexed(plan(s.markLeased.source, ['t', 1, 1]), /INTEGER PRIMARY KEY \(rowid=\?\)/);
    expectIndexed(
      plan(s.settle.source, [
        { status: 'delivered', next: null, made: 1, success: 1, failure: null, seq: 1, token: 't' },
      ]),
      /INTEGER PRIMARY KEY \(rowid=\?\)/,
    );
    // MAX(seq), the min/max optimisation: one step to the end of the primary key, no scan.
    const insert = plan(s.insertMessage.source, ['m', 'e', '{}', 1, null, null, 1]);
    expect(insert.filter((d) => d.includes('hookspec_'))).toEqual([
      'SEARCH hookspec_deliveries',
      'SEARCH hookspec_deliveries',
    ]);
  });
});
