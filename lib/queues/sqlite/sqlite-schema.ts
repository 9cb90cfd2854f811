import type Database from 'better-sqlite3';
import { DeliveryQueueError } from '../../errors';
import { readQueueVersion, writeQueueVersion } from './sqlite-queue-version';

/**
 * The schema version this code writes, kept in `PRAGMA user_version` of a file the queue opened itself,
 * and in a row of `hookspec_schema_versions` in the app's own database (sqlite-queue-version.ts).
 */
export const SCHEMA_VERSION = 4;

/**
 * Step N brings a file from version N to N + 1. Steps are only ever appended: a file written by an older
 * hookspec is brought forward in one transaction when a newer one opens it.
 *
 * Deliveries are ordered by `seq` (acceptance order) among equal due times. A delivery is *waiting* when it
 * is pending and not leased; the two `waiting` indexes serve lease() and nextDueAt(): one in global due
 * order, one per endpoint for when an endpoint without capacity holds the oldest work. Leases sit in their
 * own small index, so expired ones are found without scanning the pending rows.
 *
 * Version 2 adds the message history: a message's owner and erasure time; on each delivery a copy of its
 * message's created_at and owner (so that one index answers "this owner's / endpoint's deliveries in
 * this state, newest first"), its `state` (the DeliveryState: `failing` is a pending delivery with a
 * failed attempt since its last redelivery, which `status` does not say), and the times of its last 2xx
 * and last failed attempt (so that endpoint stats read no attempt log). One index per query shape, and
 * no more: each costs every enqueue (and the ones with `state`, every settle) a B-tree write, and the
 * per-owner ones land on a different page for nearly every message. So a webhook name is a filter, not an
 * index: by owner and webhook walks the owner's messages; by webhook alone, every message, newest first,
 * until the page is full (webhooks are few, so that is soon unless the webhook is rare). The state
 * indexes leave out delivered deliveries, most of them: settling one as delivered then only deletes its
 * entries, and a query for delivered ones walks messages (or an endpoint's deliveries), where they are
 * common.
 *
 * Version 3 drops the (message_id) index on deliveries, the one index besides the message's own key that
 * every enqueue and every prune wrote at a random place (message ids are random), which cost more than
 * any history index. A message's deliveries are inserted together, one after the other, so their seqs
 * are consecutive: the message keeps the first and the last (`first_seq`, `last_seq`), and its
 * deliveries are read as a range of the deliveries' primary key. No other delivery can fall in that range
 * while the message exists: a new delivery's seq is above every seq in use, and a message's deliveries are
 * only deleted with it.
 * Exported for the migration specs, which write files of older versions.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE hookspec_messages (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    finished_order INTEGER
  );
  CREATE INDEX hookspec_messages_finished ON hookspec_messages (finished_order)
    WHERE finished_order IS NOT NULL;

  CREATE TABLE hookspec_deliveries (
    seq INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL,
    schedule_base INTEGER NOT NULL DEFAULT 0,
    attempt_count INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    lease_token TEXT,
    leased_until INTEGER
  );
  CREATE INDEX hookspec_deliveries_message ON hookspec_deliveries (message_id);
  CREATE INDEX hookspec_deliveries_waiting ON hookspec_deliveries (next_attempt_at, seq, endpoint_id)
    WHERE status = 'pending' AND leased_until IS NULL;
  CREATE INDEX hookspec_deliveries_waiting_by_endpoint ON hookspec_deliveries (endpoint_id, next_attempt_at, seq)
    WHERE status = 'pending' AND leased_until IS NULL;
  CREATE INDEX hookspec_deliveries_leased ON hookspec_deliveries (leased_until, endpoint_id)
    WHERE leased_until IS NOT NULL;

  CREATE TABLE hookspec_attempts (
    delivery_seq INTEGER NOT NULL,
    attempt_index INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (delivery_seq, attempt_index)
  ) WITHOUT ROWID;
  `,
  `
  ALTER TABLE hookspec_messages ADD COLUMN owner TEXT;
  ALTER TABLE hookspec_messages ADD COLUMN erased_at INTEGER;
  ALTER TABLE hookspec_deliveries ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE hookspec_deliveries ADD COLUMN owner TEXT;
  ALTER TABLE hookspec_deliveries ADD COLUMN state TEXT NOT NULL DEFAULT 'pending';
  ALTER TABLE hookspec_deliveries ADD COLUMN last_success_at INTEGER;
  ALTER TABLE hookspec_deliveries ADD COLUMN last_failure_at INTEGER;

  UPDATE hookspec_deliveries SET
    created_at = (SELECT created_at FROM hookspec_messages WHERE id = message_id),
    state = CASE WHEN status = 'pending' AND attempt_count > schedule_base THEN 'failing' ELSE status END,
    last_success_at = (SELECT MAX(json_extract(record, '$.startedAt')) FROM hookspec_attempts
      WHERE delivery_seq = seq AND json_extract(record, '$.status') BETWEEN 200 AND 299),
    last_failure_at = (SELECT MAX(json_extract(record, '$.startedAt')) FROM hookspec_attempts
      WHERE delivery_seq = seq AND NOT (IFNULL(json_extract(record, '$.status'), 0) BETWEEN 200 AND 299));

  CREATE INDEX hookspec_messages_created ON hookspec_messages (created_at, id);
  CREATE INDEX hookspec_messages_owner ON hookspec_messages (owner, created_at, id);
  CREATE INDEX hookspec_deliveries_endpoint ON hookspec_deliveries (endpoint_id, created_at, message_id);
  CREATE INDEX hookspec_deliveries_endpoint_state ON hookspec_deliveries (endpoint_id, state, created_at, message_id)
    WHERE state <> 'delivered';
  CREATE INDEX hookspec_deliveries_state ON hookspec_deliveries (state, created_at, message_id)
    WHERE state <> 'delivered';
  CREATE INDEX hookspec_deliveries_owner_state ON hookspec_deliveries (owner, state, created_at, message_id)
    WHERE state <> 'delivered';
  `,
  `
  ALTER TABLE hookspec_messages ADD COLUMN first_seq INTEGER;
  ALTER TABLE hookspec_messages ADD COLUMN last_seq INTEGER;
  UPDATE hookspec_messages SET
    first_seq = (SELECT MIN(seq) FROM hookspec_deliveries WHERE message_id = id),
    last_seq = (SELECT MAX(seq) FROM hookspec_deliveries WHERE message_id = id);
  DROP INDEX hookspec_deliveries_message;
  `,
  // 4: the transactional outbox (sqlite-outbox.ts). send({ tx: db }) writes one row here in the app's
  // transaction, with no index but its key, so that the business transaction does as little as it can;
  // routing moves it into messages and deliveries after the commit, oldest (`seq`) first. endpoint_ids:
  // the endpoints send() named, as a JSON array.
  `
  CREATE TABLE hookspec_outbox (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    owner TEXT,
    created_at INTEGER NOT NULL,
    endpoint_ids TEXT
  );
  `,
];

/** The condition of the partial state indexes; a query must say it, word for word, to use them. */
export const NOT_DELIVERED = "d.state <> 'delivered'";

/** How long a connection waits for another process's write to finish before it gives up. */
export const BUSY_TIMEOUT_MS = 5_000;

/**
 * Sets the connection up (WAL, the sync level, the busy timeout) and brings the schema to
 * SCHEMA_VERSION, refusing a file from a newer hookspec rather than guessing at its layout.
 */
export function prepareDatabase(db: Database.Database, path: string, synchronous: string): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    throw new DeliveryQueueError(
      'queue-failed',
      `SqliteQueue could not switch ${path} to WAL journal mode (it stayed '${String(mode)}'); ` +
        'use a file on a local disk (WAL needs shared memory, which network file systems lack).',
    );
  }
  db.pragma(`synchronous = ${synchronous}`);
  migrateQueueTables(db, path, false);
}

/**
 * Brings the queue's tables to SCHEMA_VERSION, refusing tables of a newer hookspec. `appDatabase`: the
 * connection is the app's, whose `user_version` the queue leaves alone.
 */
export function migrateQueueTables(db: Database.Database, path: string, appDatabase: boolean): void {
  const migrate = db.transaction(() => {
    const { version, where } = readQueueVersion(db, appDatabase);
    if (version > SCHEMA_VERSION) {
      throw new DeliveryQueueError(
        'unsupported-schema',
        `SqliteQueue: ${path} has schema version ${version}, written by a newer hookspec; this version ` +
          `understands up to ${SCHEMA_VERSION}. Upgrade hookspec in this process, or give it another file.`,
      );
    }
    for (let step = version; step < SCHEMA_VERSION; step += 1) db.exec(MIGRATIONS[step] as string);
    if (version !== SCHEMA_VERSION) writeQueueVersion(db, where, SCHEMA_VERSION);
  });
  // Immediate: two processes opening a new file at once must not both create the tables.
  migrate.immediate();
}
