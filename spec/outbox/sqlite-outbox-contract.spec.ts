import Database from 'better-sqlite3';
import { afterAll, afterEach } from 'vitest';
import { SqliteQueue } from '../../lib/queues/sqlite';
import { describeHistoryContract } from '../delivery/history-contract';
import { describeQueueContract } from '../delivery/queue-contract';
import { tempDirectory } from '../queues/sqlite/temp-files';

const temp = tempDirectory('sqlite-outbox-contract');
// The queue leaves the app's connection open on close(): the app (here, the spec) closes it.
const databases: Database.Database[] = [];
afterEach(() => {
  for (const db of databases.splice(0)) db.close();
});
afterAll(() => temp.remove());

function onAppDatabase(): SqliteQueue {
  const db = new Database(temp.file());
  db.pragma('journal_mode = WAL');
  databases.push(db);
  return new SqliteQueue({ database: db });
}

describeQueueContract('SqliteQueue on the app’s database', onAppDatabase);
describeHistoryContract('SqliteQueue on the app’s database', onAppDatabase);
