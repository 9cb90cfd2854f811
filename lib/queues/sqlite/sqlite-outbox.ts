import type Database from 'better-sqlite3';
import type { MessageRecord, NewDelivery, OutboxMessage, OutboxTransaction, RouteOutboxMessage } from '../../delivery';
import { DeliveryQueueError } from '../../errors';
import { describe } from '../../options';

/** An outbox row, as routing reads it. */
interface OutboxRow {
  readonly seq: number;
  readonly id: string;
  readonly event: string;
  readonly body: string;
  readonly owner: string | null;
  readonly created_at: number;
  readonly endpoint_ids: string | null;
}

/** What a routing pass needs of its queue. */
export interface OutboxQueueSide {
  /** Resolves once the connection is outside the app's transaction (reads then see only committed rows). */
  readonly free: () => Promise<void>;
  /** Runs a read now, naming the file when SQLite fails. */
  readonly read: <T>(operation: () => T) => T;
  /** Runs `operation` in one of the queue's own write transactions; resolves once it is committed. */
  readonly commit: <T>(operation: () => T) => Promise<T>;
  /** Inserts a routed message with its deliveries, inside `commit`. */
  readonly insert: (message: MessageRecord, deliveries: readonly NewDelivery[]) => void;
}

const NOTHING_WRITTEN = 'Nothing was written.';

/**
 * The outbox table of a SqliteQueue: one row per `send(payload, { tx: db })`, written in the app's own
 * transaction on the connection it gave the queue, moved into messages and deliveries by `route()` after
 * the commit.
 */
export class SqliteOutbox {
  private readonly insertRow: Database.Statement<[string, string, string, string | null, number, string | null]>;
  private readonly oldest: Database.Statement<[number], OutboxRow>;
  private readonly take: Database.Statement<[number]>;

  constructor(
    db: Database.Database,
    /** The app's connection, when the queue was given one: the only transaction it can write in. */
    private readonly appDatabase: Database.Database | undefined,
    /** The file, for messages. */
    private readonly file: string,
  ) {
    this.insertRow = db.prepare(
      'INSERT INTO hookspec_outbox (id, event, body, owner, created_at, endpoint_ids) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.oldest = db.prepare(
      'SELECT seq, id, event, body, owner, created_at, endpoint_ids FROM hookspec_outbox ORDER BY seq LIMIT ?',
    );
    this.take = db.prepare('DELETE FROM hookspec_outbox WHERE seq = ?');
  }

  /**
   * Writes the message as one row, now, in the app's transaction open on the connection, after checking
   * that `tx` is that connection and that the transaction is still open: a transaction that has ended
   * (a `send()` not awaited before COMMIT) would leave the row written on its own.
   */
  write(tx: OutboxTransaction, message: OutboxMessage): void {
    this.checkTransaction(tx);
    this.insertRow.run(
      message.id,
      message.event,
      message.body,
      message.owner ?? null,
      message.createdAt,
      message.endpointIds === undefined ? null : JSON.stringify(message.endpointIds),
    );
  }

  /**
   * One routing pass: reads up to `limit` committed rows, oldest first; asks `route` for each one's
   * deliveries, outside any transaction (it may be slow, and must never hold the connection the app
   * shares); then, in one of the queue's write transactions, takes each row out and inserts its message
   * with its deliveries. A row is routed once however many routers read it: only the one whose DELETE
   * takes it out inserts the message (SQLite runs one write transaction at a time), so two processes on
   * one file may compute a route twice, but never send a message twice. A failure leaves every row of the
   * pass in the outbox. Resolves with how many rows the pass read, all of them out of the outbox now.
   */
  async route(route: RouteOutboxMessage, limit: number, queue: OutboxQueueSide): Promise<number> {
    await queue.free();
    const rows = queue.read(() => this.oldest.all(limit));
    if (rows.length === 0) return 0;
    const routed: { seq: number; record: MessageRecord; deliveries: readonly NewDelivery[] }[] = [];
    for (const row of rows) {
      const message = outboxMessage(row);
      const { endpointIds: _named, ...record } = message;
      routed.push({ seq: row.seq, record, deliveries: await route(message) });
    }
    await queue.commit(() => {
      for (const { seq, record, deliveries } of routed) {
        // Gone: another router took it out first. A message no endpoint takes is not kept, as send() keeps none.
        if (this.take.run(seq).changes === 1 && deliveries.length > 0) queue.insert(record, deliveries);
      }
    });
    return rows.length;
  }

  private checkTransaction(tx: OutboxTransaction): void {
    if (!this.appDatabase) {
      throw new DeliveryQueueError(
        'invalid-transaction',
        `send(…, { tx }): this SqliteQueue opened ${this.file} itself (path), so no transaction of yours is on ` +
          'its connection; give it your better-sqlite3 Database instead, new SqliteQueue({ database: db }), and ' +
          `pass that db as tx inside your transaction. ${NOTHING_WRITTEN}`,
      );
    }
    if (tx !== this.appDatabase) {
      throw new DeliveryQueueError(
        'invalid-transaction',
        `send(…, { tx }): tx must be the better-sqlite3 Database this SqliteQueue was given (${this.file}), ` +
          `inside your transaction; got ${describeTx(tx)}, whose transaction the queue cannot write in. ` +
          NOTHING_WRITTEN,
      );
    }
    if (!this.appDatabase.inTransaction) {
      throw new DeliveryQueueError(
        'invalid-transaction',
        `send(…, { tx: db }): no transaction is open on ${this.file}; begin one with db.exec('BEGIN'), await ` +
          "send(…, { tx: db }) and then db.exec('COMMIT') (a send() not awaited before COMMIT finds it ended), " +
          `or send without tx outside a transaction. ${NOTHING_WRITTEN}`,
      );
    }
  }
}

function outboxMessage(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    event: row.event,
    body: row.body,
    createdAt: row.created_at,
    ...(row.owner !== null ? { owner: row.owner } : {}),
    ...(row.endpoint_ids !== null ? { endpointIds: JSON.parse(row.endpoint_ids) as string[] } : {}),
  };
}

/** Names what was given as tx without showing any of its content. */
function describeTx(tx: unknown): string {
  const name = (tx as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  if (name === 'Database' && typeof (tx as { name?: unknown }).name === 'string') {
    return `another Database (${(tx as { name: string }).name})`;
  }
  return typeof name === 'string' && name !== 'Object' ? `a ${name}` : describe(tx);
}
