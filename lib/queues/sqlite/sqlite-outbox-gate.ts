import type Database from 'better-sqlite3';
import { DeliveryQueueError } from '../../errors';

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

interface Waiter {
  readonly ready: () => void;
  readonly fail?: (error: Error) => void;
  readonly deadline: number;
}

/** The first look at the connection after it was seen in a transaction; each next look waits twice as long… */
const FIRST_LOOK_MS = 1;
/** …up to this: the queue's work resumes at most this long after the app's transaction ends. */
const LAST_LOOK_MS = 20;

/**
 * Keeps the queue's own work out of the app's transactions on a shared connection. better-sqlite3 runs
 * everything on one connection, where a transaction is the connection's state: a queue write made while
 * the app's `BEGIN … COMMIT` is open across an `await` would silently join it (better-sqlite3 turns the
 * queue's transaction into a savepoint) and be undone by its rollback, after the queue had reported it
 * committed. The queue's own transactions never span an `await` (better-sqlite3 is synchronous), so a
 * transaction seen open when the queue is about to write is always the app's, and the write waits.
 *
 * SQLite tells no one when a transaction ends, so the gate looks at `inTransaction` (a flag read, no
 * query) on a short timer while someone waits, and gives up after the connection's busy timeout, as a
 * write waiting for another connection's lock would: an app that awaits queue work inside its own
 * transaction (a `send()` without `tx`, `drain()`) would otherwise wait forever.
 */
export class AppTransactionGate implements CommitGate {
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private step = FIRST_LOOK_MS;

  constructor(
    private readonly db: Database.Database,
    /** The file, for messages. */
    private readonly file: string,
  ) {}

  blocked(): boolean {
    return this.db.inTransaction;
  }

  whenFree(ready: () => void, fail: (error: Error) => void): void {
    if (!this.db.inTransaction) {
      ready();
      return;
    }
    this.waiters.push({ ready, fail, deadline: Date.now() + this.busyTimeoutMs() });
    this.look();
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
    if (!this.db.inTransaction) {
      ready();
      return;
    }
    this.waiters.push({ ready, deadline: Infinity });
    this.look();
  }

  private look(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.poll(), this.step);
    // A transaction that nothing else keeps alive can never end: waiting on it must not hold the process.
    this.timer.unref();
  }

  private poll(): void {
    this.timer = undefined;
    if (!this.db.open || !this.db.inTransaction) {
      const waiters = this.waiters;
      this.waiters = [];
      this.step = FIRST_LOOK_MS;
      // A closed connection: each waiter's own statement fails and names it.
      for (const waiter of waiters) waiter.ready();
      return;
    }
    const now = Date.now();
    const expired = this.waiters.filter((waiter) => waiter.deadline <= now);
    if (expired.length > 0) {
      this.waiters = this.waiters.filter((waiter) => waiter.deadline > now);
      for (const waiter of expired) waiter.fail?.(this.stillOpen());
    }
    if (this.waiters.length === 0) {
      this.step = FIRST_LOOK_MS;
      return;
    }
    this.step = Math.min(this.step * 2, LAST_LOOK_MS);
    this.look();
  }

  private busyTimeoutMs(): number {
    return this.db.pragma('busy_timeout', { simple: true }) as number;
  }

  private stillOpen(): DeliveryQueueError {
    return new DeliveryQueueError(
      'queue-failed',
      `SqliteQueue on ${this.file}: a transaction of your code stayed open on the connection the queue shares ` +
        `for longer than its busy timeout (${this.busyTimeoutMs()} ms), and the queue's own writes wait for it ` +
        'to end, so that its rollback cannot undo them. If you await send() inside your transaction, pass ' +
        '{ tx: db } to write the message in it, or send after COMMIT; never await drain() or close() inside it.',
    );
  }
}
