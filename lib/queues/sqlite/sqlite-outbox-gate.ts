import type Database from 'better-sqlite3';
import { DeliveryQueueError } from '../../errors';
import { AppTransactionWatch } from './app-transaction-watch';

/** What a group commit asks before it writes: whether it must wait, and a way to wait. */
export interface CommitGate {
  /** Whether a transaction of the app is open on the connection now. */
  blocked(): boolean;
  /**
   * Calls `ready` in the same synchronous turn in which the connection is seen outside any transaction
   * (at once when it is now), so that nothing can begin one in between; `fail` when it stays in the app's
   * transaction past the connection's busy timeout.
   */
  whenFree(ready: () => void, fail: (error: Error) => void): void;
}

/**
 * Keeps a SqliteQueue's own work out of the app's transactions on the connection it was given, through
 * the connection's AppTransactionWatch (shared with a SqliteEndpointStore on the same `db`), and says,
 * when the app's transaction outlasts the busy timeout, which of the app's calls keep it waiting.
 */
export class AppTransactionGate implements CommitGate {
  private readonly watch: AppTransactionWatch;

  constructor(
    db: Database.Database,
    /** The file, for messages. */
    private readonly file: string,
  ) {
    this.watch = AppTransactionWatch.on(db);
  }

  blocked(): boolean {
    return this.watch.inTransaction;
  }

  whenFree(ready: () => void, fail: (error: Error) => void): void {
    this.watch.whenFree(ready, (busyTimeoutMs) => fail(this.stillOpen(busyTimeoutMs)));
  }

  /** Resolves once the connection is outside the app's transaction (at once when it is now). */
  free(): Promise<void> {
    return new Promise((resolve, reject) => this.whenFree(resolve, reject));
  }

  /**
   * Calls `ready` once the app's current transaction has ended, by commit or rollback, however long it
   * lasts: used to wake the workers after an outbox write, whose commit on this connection moves no
   * `data_version` that `watch()` could see.
   */
  afterTransaction(ready: () => void): void {
    this.watch.afterTransaction(ready);
  }

  private stillOpen(busyTimeoutMs: number): DeliveryQueueError {
    return new DeliveryQueueError(
      'queue-failed',
      `SqliteQueue on ${this.file}: a transaction of your code stayed open on the connection the queue shares ` +
        `for longer than its busy timeout (${busyTimeoutMs} ms), and the queue's own writes wait for it ` +
        'to end, so that its rollback cannot undo them. If you await send() inside your transaction, pass ' +
        '{ tx: db } to write the message in it, or send after COMMIT; never await drain() or close() inside it.',
    );
  }
}
