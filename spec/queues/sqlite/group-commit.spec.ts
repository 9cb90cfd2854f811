import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../lib/queues/sqlite/group-commit';
import { tempDirectory } from './temp-files';

const temp = tempDirectory('group-commit');
afterAll(() => temp.remove());

let db: Database.Database;
let writes: GroupCommit;
beforeEach(() => {
  db = new Database(temp.file());
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (name TEXT PRIMARY KEY)');
  writes = new GroupCommit(db, 'FULL');
});
afterEach(() => db.close());

const insert = (name: string) => () => db.prepare('INSERT INTO t (name) VALUES (?)').run(name).changes;
const names = () => db.prepare('SELECT name FROM t ORDER BY name').pluck().all();
/** The connection's sync level as the batch commits: 2 is FULL (an fsync per commit), 1 NORMAL. */
const syncLevel = () => db.pragma('synchronous', { simple: true });

describe('GroupCommit', () => {
  it('commits the operations of one turn together, each resolving with its own result', async () => {
    const seen = new Database(db.name, { readonly: true });
    const before = seen.pragma('data_version', { simple: true });
    const results = await Promise.all([writes.run(insert('a')), writes.run(insert('b')), writes.run(() => 'read')]);
    expect(results).toEqual([1, 1, 'read']);
    expect(names()).toEqual(['a', 'b']);
    // One commit by another connection moves data_version once, however many operations it held.
    expect(seen.pragma('data_version', { simple: true })).toBe((before as number) + 1);
    seen.close();
  });

  it('rolls back an operation that failed after writing, alone: the others of its turn commit', async () => {
    const failing = () => {
      insert('b')();
      throw new Error('failed after writing b');
    };
    const results = await Promise.allSettled([writes.run(insert('a')), writes.run(failing), writes.run(insert('c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toEqual(new Error('failed after writing b'));
    expect(names()).toEqual(['a', 'c']);
  });

  it('rejects a duplicate within one turn and commits the first', async () => {
    const results = await Promise.allSettled([writes.run(insert('a')), writes.run(insert('a'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(names()).toEqual(['a']);
  });

  it('leaves nothing of a lone operation that failed after writing', async () => {
    await expect(
      writes.run(() => {
        insert('a')();
        throw new Error('failed after writing a');
      }),
    ).rejects.toThrow('failed after writing a');
    expect(names()).toEqual([]);
    expect(db.inTransaction).toBe(false);
  });

  it('commits what is waiting when flushed, before its turn', async () => {
    const done = writes.run(insert('a'));
    writes.flush();
    expect(names()).toEqual(['a']);
    await expect(done).resolves.toBe(1);
  });

  it('commits a turn of only non-durable operations without the fsync, then syncs again', async () => {
    const results = await Promise.all([writes.run(syncLevel, false), writes.run(insert('a'), false)]);
    expect(results).toEqual([1, 1]);
    expect(syncLevel()).toBe(2);
    expect(names()).toEqual(['a']);
  });

  it('syncs a turn that holds one durable operation among non-durable ones', async () => {
    const results = await Promise.all([writes.run(syncLevel, false), writes.run(insert('a'))]);
    expect(results).toEqual([2, 1]);
    expect(syncLevel()).toBe(2);
  });

  it('keeps the sync level of a queue opened with NORMAL or OFF', async () => {
    db.pragma('synchronous = OFF');
    const relaxed = new GroupCommit(db, 'OFF');
    expect(await relaxed.run(syncLevel, false)).toBe(0);
    expect(await relaxed.run(syncLevel)).toBe(0);
  });

  it('goes back to FULL after a non-durable turn whose operation failed', async () => {
    await expect(
      writes.run(() => {
        throw new Error('lease failed');
      }, false),
    ).rejects.toThrow('lease failed');
    expect(syncLevel()).toBe(2);
  });
});
