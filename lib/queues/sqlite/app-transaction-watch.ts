import type Database from 'better-sqlite3';

interface Waiter {
  readonly ready: () => void;
  /** Told the busy timeout it waited for; absent for a waiter that waits however long it takes. */
  readonly timedOut?: (busyTimeoutMs: number) => void;
  readonly busyTimeoutMs: number;
  readonly deadline: number;
}

/** The first look at the connection after it was seen in a transaction; each next look waits twice as long… */
const FIRST_LOOK_MS = 1;
/** …up to this: waiting work resumes at most this long after the app's transaction ends. */
const LAST_LOOK_MS = 20;

/** One watch per connection, whoever asks for it. */
const watches = new WeakMap<Database.Database, AppTransactionWatch>();

/**
 * Tells the hookspec parts that write on a connection the app shares (a SqliteQueue's group commits and
 * outbox routing, a SqliteEndpointStore's writes) when the app's transaction on it has ended.
 * better-sqlite3 runs everything on one connection, where a transaction is the connection's state: a
 * write made while the app's `BEGIN … COMMIT` is open across an `await` would silently join it
 * (better-sqlite3 turns a nested transaction into a savepoint) and be undone by its rollback, after the
 * part had reported it committed. hookspec's own transactions never span an `await` (better-sqlite3 is
 * synchronous), so a transaction seen open when a part is about to write is always the app's.
 *
 * SQLite tells no one when a transaction ends, so the watch looks at `inTransaction` (a flag read, no
 * query) on a short timer while someone waits, and gives a waiter up after the connection's busy timeout,
 * as a write waiting for another connection's lock would: an app that awaits such a write inside its own
 * transaction would otherwise wait forever.
 *
 * Every part on one connection shares its watch (`AppTransactionWatch.on(db)`): one timer, and the
 * waiters released in the order they came, each in a synchronous turn in which the connection is seen
 * free. A queue and a store on one `db` never wait for each other: their own transactions end within the
 * call that began them, so only the app's can be open when one of them looks; and a part's waiting
 * writes land in the order it made them (a store's second update never lands before its first).
 */
export class AppTransactionWatch {
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private step = FIRST_LOOK_MS;

  private constructor(private readonly db: Database.Database) {}

  /** The watch of `db`, shared by every part on it. */
  static on(db: Database.Database): AppTransactionWatch {
    let watch = watches.get(db);
    if (!watch) {
      watch = new AppTransactionWatch(db);
      watches.set(db, watch);
    }
    return watch;
  }

  /** Whether a transaction of the app is open on the connection now. */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /**
   * Calls `ready` in the same synchronous turn in which the connection is seen outside any transaction,
   * after the waiters that came before it (at once when it is free and no one waits); `timedOut` when it
   * stays in the app's transaction past the connection's busy timeout.
   */
  whenFree(ready: () => void, timedOut: (busyTimeoutMs: number) => void): void {
    // A closed connection has no busy timeout to read: its waiter is released at once, and its statement fails.
    const busyTimeoutMs = this.db.open ? this.busyTimeoutMs() : 0;
    this.wait({ ready, timedOut, busyTimeoutMs, deadline: Date.now() + busyTimeoutMs });
  }

  /** Calls `ready` once the app's current transaction has ended, by commit or rollback, however long it lasts. */
  afterTransaction(ready: () => void): void {
    this.wait({ ready, busyTimeoutMs: Infinity, deadline: Infinity });
  }

  /** The connection's busy timeout, in milliseconds. */
  private busyTimeoutMs(): number {
    return this.db.pragma('busy_timeout', { simple: true }) as number;
  }

  private wait(waiter: Waiter): void {
    this.waiters.push(waiter);
    if (this.db.inTransaction) this.look();
    else this.release();
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
      this.release();
      return;
    }
    const now = Date.now();
    const expired = this.waiters.filter((waiter) => waiter.deadline <= now);
    if (expired.length > 0) {
      this.waiters = this.waiters.filter((waiter) => waiter.deadline > now);
      for (const waiter of expired) waiter.timedOut?.(waiter.busyTimeoutMs);
    }
    if (this.waiters.length === 0) {
      this.step = FIRST_LOOK_MS;
      return;
    }
    this.step = Math.min(this.step * 2, LAST_LOOK_MS);
    this.look();
  }

  /** Releases the waiters in order while the connection stays free; a closed one releases them all. */
  private release(): void {
    this.step = FIRST_LOOK_MS;
    while (this.waiters.length > 0) {
      // What a waiter did may have left a transaction open (none of hookspec's does): the rest wait for it.
      if (this.db.open && this.db.inTransaction) {
        this.look();
        return;
      }
      // Taken out first: a waiter that asks to wait again joins the end of the line.
      const waiter = this.waiters.shift() as Waiter;
      // A closed connection: each waiter's own statement fails and names it.
      waiter.ready();
    }
  }
}
