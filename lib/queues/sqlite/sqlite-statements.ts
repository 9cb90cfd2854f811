import type { DueRow } from '../due-rows';
import type Database from 'better-sqlite3';
import type { DeliveryStatus } from '../../delivery';

export interface MessageRow {
  readonly id: string;
  readonly event: string;
  readonly body: string;
  readonly created_at: number;
  readonly owner: string | null;
  readonly erased_at: number | null;
  /** The seqs of its first and last delivery (null for a message without deliveries from before version 3). */
  readonly first_seq: number | null;
  readonly last_seq: number | null;
}

/** A message's deliveries: the seqs from first to last (none when first > last or either is null). */
export interface SeqRange {
  readonly first_seq: number | null;
  readonly last_seq: number | null;
}

export interface DeliveryRow {
  readonly seq: number;
  readonly message_id: string;
  readonly endpoint_id: string;
  readonly url: string;
  readonly status: DeliveryStatus;
  readonly schedule_base: number;
  readonly attempt_count: number;
  readonly next_attempt_at: number | null;
}

/** What settle binds: the new status, the attempt made (if any) and when it started, and the lease. */
export interface SettleParams {
  readonly status: string;
  readonly next: number | null;
  readonly made: 0 | 1;
  readonly success: number | null;
  readonly failure: number | null;
  readonly seq: number;
  readonly token: string;
}

/** One row of endpointStats: an endpoint's deliveries in one state over the window. */
export interface StatsRow {
  readonly state: string;
  readonly count: number;
  readonly last_success_at: number | null;
  readonly last_failure_at: number | null;
}

/** A pending delivery that nobody holds: the condition the partial `waiting` indexes are built on. */
const WAITING = "status = 'pending' AND leased_until IS NULL";

type Statement<P extends unknown[], R = unknown> = Database.Statement<P, R>;

/** Every statement the queue runs, prepared once per connection. */
export interface SqliteStatements {
  readonly insertMessage: Statement<[string, string, string, number, string | null, number | null, number], number>;
  readonly insertDelivery: Statement<
    [number, string, string, string, string, string, number | null, number, string | null]
  >;
  readonly message: Statement<[string], MessageRow>;
  readonly rangeOf: Statement<[string], SeqRange>;
  readonly deliveriesOf: Statement<[number | null, number | null], DeliveryRow>;
  readonly attemptsOf: Statement<[number], string>;
  readonly reclaimExpired: Statement<[number]>;
  readonly dueInOrder: Statement<[number, number], DueRow>;
  readonly dueForEndpoint: Statement<[string, number, number], DueRow>;
  readonly waitingInOrder: Statement<[number], DueRow>;
  readonly firstWaitingOfEndpoint: Statement<[string], number | null>;
  readonly waitingEndpoints: Statement<[], string>;
  readonly leasesInOrder: Statement<[], { endpoint_id: string; leased_until: number }>;
  readonly markLeased: Statement<[string, number, number], DeliveryRow>;
  readonly settle: Statement<[SettleParams], { message_id: string; attempt_count: number; status: string }>;
  readonly insertAttempt: Statement<[number, number, string]>;
  readonly finishIfDone: Statement<[string], number>;
  readonly pruneMessages: Statement<[number], SeqRange>;
  readonly redeliver: Statement<[number, number | null, number | null, number, string | null, string | null]>;
  readonly recover: Statement<[number, string, number, number], string>;
  readonly eraseMessage: Statement<[number, string], SeqRange>;
  readonly cancelPending: Statement<[number | null, number | null]>;
  readonly stats: Statement<[string, number, number], StatsRow>;
  readonly finishedBefore: Statement<[number], string>;
  readonly finishedBeyond: Statement<[number], string>;
  readonly deleteAttemptsIn: Statement<[number | null, number | null]>;
  readonly deleteDeliveriesIn: Statement<[number | null, number | null]>;
  readonly deleteMessage: Statement<[string], SeqRange>;
  readonly unfinish: Statement<[string]>;
  readonly countPending: Statement<[], number>;
}

export function prepareStatements(db: Database.Database): SqliteStatements {
  return {
    /**
     * The message, with the seqs its deliveries will take: the ones after the highest in use, as SQLite
     * would give them, set explicitly so that the range is certain. Returns the first.
     */
    insertMessage: db
      .prepare<[string, string, string, number, string | null, number | null, number], number>(
        'INSERT INTO hookspec_messages (id, event, body, created_at, owner, erased_at, first_seq, last_seq) ' +
          'VALUES (?, ?, ?, ?, ?, ?, (SELECT IFNULL(MAX(seq), 0) + 1 FROM hookspec_deliveries), ' +
          '(SELECT IFNULL(MAX(seq), 0) FROM hookspec_deliveries) + ?) RETURNING first_seq',
      )
      .pluck(),
    insertDelivery: db.prepare<[number, string, string, string, string, string, number | null, number, string | null]>(
      'INSERT INTO hookspec_deliveries (seq, message_id, endpoint_id, url, status, state, next_attempt_at, created_at, owner) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    message: db.prepare<[string], MessageRow>(
      'SELECT id, event, body, created_at, owner, erased_at, first_seq, last_seq FROM hookspec_messages WHERE id = ?',
    ),
    rangeOf: db.prepare<[string], SeqRange>('SELECT first_seq, last_seq FROM hookspec_messages WHERE id = ?'),
    deliveriesOf: db.prepare<[number | null, number | null], DeliveryRow>(
      'SELECT * FROM hookspec_deliveries WHERE seq BETWEEN ? AND ? ORDER BY seq',
    ),
    attemptsOf: db
      .prepare<[number], string>('SELECT record FROM hookspec_attempts WHERE delivery_seq = ? ORDER BY attempt_index')
      .pluck(),
    /** Leases that outlived their holder give their delivery back to the queue. */
    reclaimExpired: db.prepare<[number]>(
      'UPDATE hookspec_deliveries SET lease_token = NULL, leased_until = NULL ' +
        'WHERE leased_until IS NOT NULL AND leased_until <= ?',
    ),
    dueInOrder: db.prepare<[number, number], DueRow>(
      `SELECT seq, endpoint_id, next_attempt_at FROM hookspec_deliveries WHERE ${WAITING} AND next_attempt_at <= ? ` +
        'ORDER BY next_attempt_at, seq LIMIT ?',
    ),
    dueForEndpoint: db.prepare<[string, number, number], DueRow>(
      `SELECT seq, endpoint_id, next_attempt_at FROM hookspec_deliveries WHERE ${WAITING} AND endpoint_id = ? ` +
        'AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?',
    ),
    waitingInOrder: db.prepare<[number], DueRow>(
      `SELECT seq, endpoint_id, next_attempt_at FROM hookspec_deliveries WHERE ${WAITING} ` +
        'ORDER BY next_attempt_at, seq LIMIT ?',
    ),
    firstWaitingOfEndpoint: db
      .prepare<[string], number | null>(
        `SELECT MIN(next_attempt_at) FROM hookspec_deliveries WHERE ${WAITING} AND endpoint_id = ?`,
      )
      .pluck(),
    /** The endpoints with waiting work, one index probe each (a loose index scan) rather than a pass over every row. */
    waitingEndpoints: db
      .prepare<[], string>(
        'WITH RECURSIVE endpoints(id) AS (' +
          `SELECT (SELECT endpoint_id FROM hookspec_deliveries WHERE ${WAITING} ORDER BY endpoint_id LIMIT 1) ` +
          'UNION ALL SELECT (SELECT endpoint_id FROM hookspec_deliveries ' +
          `WHERE ${WAITING} AND endpoint_id > endpoints.id ORDER BY endpoint_id LIMIT 1) ` +
          'FROM endpoints WHERE endpoints.id IS NOT NULL' +
          ') SELECT id FROM endpoints WHERE id IS NOT NULL',
      )
      .pluck(),
    leasesInOrder: db.prepare<[], { endpoint_id: string; leased_until: number }>(
      'SELECT endpoint_id, leased_until FROM hookspec_deliveries WHERE leased_until IS NOT NULL ORDER BY leased_until',
    ),
    /** Leases one delivery and returns its row: the lease columns are in no history index, so only the small ones change. */
    markLeased: db.prepare<[string, number, number], DeliveryRow>(
      'UPDATE hookspec_deliveries SET lease_token = ?, leased_until = ? WHERE seq = ? ' +
        'RETURNING seq, message_id, endpoint_id, url, status, schedule_base, attempt_count, next_attempt_at',
    ),
    /**
     * Ends the caller's lease, if it is still theirs, and records the delivery's new state. A delivery
     * cancelled while leased (its payload erased) keeps its lease token for this: the attempt is counted
     * and it stays cancelled. A pending settlement after an attempt is `failing`; one without an attempt
     * (put back untouched) keeps its state.
     */
    settle: db.prepare<[SettleParams], { message_id: string; attempt_count: number; status: string }>(
      'UPDATE hookspec_deliveries SET lease_token = NULL, leased_until = NULL, ' +
        "status = CASE WHEN status = 'cancelled' THEN status ELSE @status END, " +
        "state = CASE WHEN status = 'cancelled' THEN state WHEN @status <> 'pending' THEN @status " +
        "WHEN @made = 1 THEN 'failing' ELSE state END, " +
        "next_attempt_at = CASE WHEN status = 'cancelled' THEN NULL ELSE @next END, " +
        'attempt_count = attempt_count + @made, ' +
        'last_success_at = CASE WHEN @success > IFNULL(last_success_at, -1e300) THEN @success ELSE last_success_at END, ' +
        'last_failure_at = CASE WHEN @failure > IFNULL(last_failure_at, -1e300) THEN @failure ELSE last_failure_at END ' +
        'WHERE seq = @seq AND lease_token = @token RETURNING message_id, attempt_count, status',
    ),
    insertAttempt: db.prepare<[number, number, string]>(
      'INSERT INTO hookspec_attempts (delivery_seq, attempt_index, record) VALUES (?, ?, ?)',
    ),
    /**
     * Numbers a message as finished when none of its deliveries is pending any more (and returns the
     * number); one statement, so that a settle does not read the message's deliveries and then write.
     */
    finishIfDone: db
      .prepare<[string], number>(
        'UPDATE hookspec_messages SET finished_order = ' +
          '(SELECT COALESCE(MAX(finished_order), 0) + 1 FROM hookspec_messages WHERE finished_order IS NOT NULL) ' +
          'WHERE id = ? AND NOT EXISTS (SELECT 1 FROM hookspec_deliveries ' +
          "WHERE seq BETWEEN hookspec_messages.first_seq AND hookspec_messages.last_seq AND status = 'pending') " +
          'RETURNING finished_order',
      )
      .pluck(),
    /** Deletes the messages that finished long enough ago, and returns their deliveries' seqs. */
    pruneMessages: db.prepare<[number], SeqRange>(
      'DELETE FROM hookspec_messages WHERE finished_order <= ? RETURNING first_seq, last_seq',
    ),
    redeliver: db.prepare<[number, number | null, number | null, number, string | null, string | null]>(
      "UPDATE hookspec_deliveries SET status = 'pending', state = 'pending', schedule_base = attempt_count, " +
        'next_attempt_at = ? WHERE seq BETWEEN ? AND ? ' +
        "AND (status IN ('exhausted', 'disabled') OR (? = 1 AND status = 'delivered')) AND (? IS NULL OR endpoint_id = ?)",
    ),
    /** The endpoint's exhausted and disabled deliveries in the window, through the (endpoint, state, created_at) index. */
    recover: db
      .prepare<[number, string, number, number], string>(
        "UPDATE hookspec_deliveries SET status = 'pending', state = 'pending', schedule_base = attempt_count, " +
          "next_attempt_at = ? WHERE endpoint_id = ? AND state IN ('exhausted', 'disabled') AND state <> 'delivered' " +
          'AND created_at >= ? AND created_at < ? RETURNING message_id',
      )
      .pluck(),
    eraseMessage: db.prepare<[number, string], SeqRange>(
      "UPDATE hookspec_messages SET body = '', erased_at = IFNULL(erased_at, ?) WHERE id = ? RETURNING first_seq, last_seq",
    ),
    /** A leased one keeps its lease token (its holder's settle records the attempt) but is no longer counted leased. */
    cancelPending: db.prepare<[number | null, number | null]>(
      "UPDATE hookspec_deliveries SET status = 'cancelled', state = 'cancelled', next_attempt_at = NULL, " +
        "leased_until = NULL WHERE seq BETWEEN ? AND ? AND status = 'pending'",
    ),
    /** Named index: left alone, SQLite prefers the (endpoint, state) one to skip a sort, and reads the whole endpoint. */
    stats: db.prepare<[string, number, number], StatsRow>(
      'SELECT state, COUNT(*) AS count, MAX(last_success_at) AS last_success_at, MAX(last_failure_at) AS last_failure_at ' +
        'FROM hookspec_deliveries INDEXED BY hookspec_deliveries_endpoint ' +
        'WHERE endpoint_id = ? AND created_at >= ? AND created_at < ? GROUP BY state',
    ),
    finishedBefore: db
      .prepare<[number], string>('SELECT id FROM hookspec_messages WHERE created_at < ? AND finished_order IS NOT NULL')
      .pluck(),
    finishedBeyond: db
      .prepare<[number], string>(
        'SELECT id FROM hookspec_messages WHERE finished_order IS NOT NULL ' +
          'ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?',
      )
      .pluck(),
    deleteAttemptsIn: db.prepare<[number | null, number | null]>(
      'DELETE FROM hookspec_attempts WHERE delivery_seq BETWEEN ? AND ?',
    ),
    deleteDeliveriesIn: db.prepare<[number | null, number | null]>(
      'DELETE FROM hookspec_deliveries WHERE seq BETWEEN ? AND ?',
    ),
    deleteMessage: db.prepare<[string], SeqRange>(
      'DELETE FROM hookspec_messages WHERE id = ? RETURNING first_seq, last_seq',
    ),
    unfinish: db.prepare<[string]>('UPDATE hookspec_messages SET finished_order = NULL WHERE id = ?'),
    countPending: db
      .prepare<[], number>(
        `SELECT (SELECT COUNT(*) FROM hookspec_deliveries WHERE ${WAITING}) + ` +
          '(SELECT COUNT(*) FROM hookspec_deliveries WHERE leased_until IS NOT NULL)',
      )
      .pluck(),
  };
}
