import type Database from 'better-sqlite3';
import type { CommitGate } from './sqlite-outbox-gate';
import type { SqliteSynchronous } from './sqlite-queue-options';

interface Pending {
  readonly run: () => unknown;
  /** False for work that may be lost to a power cut (a lease): a batch of only such work skips the fsync. */
  readonly durable: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  outcome?: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };
}

/** Thrown out of the plain pass when an operation fails, so that its transaction rolls back whole. */
class OperationFailed {
  constructor(readonly error: unknown) {}
}

/**
 * Commits the write operations that arrive in one turn of the event loop in one transaction. With
 * `synchronous = FULL` every commit waits for the disk (an fsync), so the sends of many concurrent
 * requests, or the settles of attempts that ended together, share one wait instead of queueing for one
 * each. Each resolves only after the commit, so an operation never reports success for work that a crash
 * could still lose.
 *
 * A batch runs twice only when one of its operations fails. The first pass runs every operation plainly
 * in the one transaction: a savepoint per operation would cost each of them a copy of every page it
 * touches that an earlier operation of the batch had already changed (SQLite's sub-journal, which spills
 * to a temporary file past 64 kB), which measured more than half of an enqueue's CPU time. When an
 * operation fails (a duplicate message id), that pass is rolled back whole and the batch runs again with
 * each operation in its own savepoint: the failing one is rolled back and rejected alone, the others
 * commit. Operations only read and write the database, so running one again is safe: what the first pass
 * returned is never seen.
 *
 * With `synchronous = FULL`, a batch that holds only operations marked not durable (leases) commits with
 * `NORMAL`: safe from a crash, not from a power cut, and without the fsync, which holds up the event loop
 * for its whole wait (better-sqlite3 is synchronous). A lease lost to a power cut only means its delivery
 * is leased again, which a crash already means; the next durable commit syncs it with everything before.
 */
export class GroupCommit {
  private batch: Pending[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  /** The batch waits for the app's transaction to end (see `gate`). */
  private held = false;
  private readonly plain: (batch: readonly Pending[]) => void;
  private readonly isolated: (batch: readonly Pending[]) => void;

  constructor(
    private readonly db: Database.Database,
    /** The connection's `synchronous` as the queue set it; undefined: the app's own, never changed. */
    private readonly synchronous: SqliteSynchronous | undefined,
    /** On a connection the app shares (a queue given `database`), what keeps batches out of its transactions. */
    private readonly gate?: CommitGate,
  ) {
    // Immediate: the write lock is taken (or waited for) at BEGIN; a deferred transaction that had to
    // upgrade its lock later could fail at once with SQLITE_BUSY instead of waiting for another process.
    this.plain = db.transaction((batch: readonly Pending[]) => {
      for (const operation of batch) {
        try {
          operation.outcome = { ok: true, value: operation.run() };
        } catch (error) {
          throw new OperationFailed(error);
        }
      }
    }).immediate;
    // Called inside the batch's transaction, a better-sqlite3 transaction function runs as a savepoint.
    const inSavepoint = db.transaction((operation: Pending) => operation.run());
    this.isolated = db.transaction((batch: readonly Pending[]) => {
      for (const operation of batch) {
        try {
          operation.outcome = { ok: true, value: inSavepoint(operation) };
        } catch (error) {
          operation.outcome = { ok: false, error };
          // Some failures (a full disk, an I/O error) end the whole transaction: nothing after may run.
          if (!this.db.inTransaction) throw error;
        }
      }
    }).immediate;
  }

  /**
   * Runs `operation` in the next batch; resolves with its result once the batch is committed (and, unless
   * `durable` is false, synced as the connection's `synchronous` says).
   */
  run<T>(operation: () => T, durable = true): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.batch.push({ run: operation, durable, resolve: resolve as (value: unknown) => void, reject });
      if (!this.held) this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits what is waiting now (also before the database closes). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.held) return;
    if (this.batch.length > 0 && this.gate?.blocked()) {
      // The app's transaction is open on this connection: committing now would write in it.
      this.held = true;
      this.gate.whenFree(
        () => {
          this.held = false;
          this.flush();
        },
        (error) => {
          this.held = false;
          const waited = this.batch;
          this.batch = [];
          for (const operation of waited) operation.reject(error);
        },
      );
      return;
    }
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    try {
      this.commit(batch);
    } catch (error) {
      for (const operation of batch) operation.reject(error);
      return;
    }
    for (const { outcome, resolve, reject } of batch) {
      if (outcome?.ok) resolve(outcome.value);
      else reject(outcome?.error);
    }
  }

  private commit(batch: readonly Pending[]): void {
    if (this.synchronous !== 'FULL' || batch.some((operation) => operation.durable)) {
      this.commitOnce(batch);
      return;
    }
    this.db.pragma('synchronous = NORMAL');
    try {
      this.commitOnce(batch);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  private commitOnce(batch: readonly Pending[]): void {
    try {
      this.plain(batch);
    } catch (failure) {
      // BEGIN or COMMIT failed (a lock held too long, the disk): the batch fails as one.
      if (!(failure instanceof OperationFailed)) throw failure;
      const [only] = batch;
      if (batch.length === 1 && only) {
        only.outcome = { ok: false, error: failure.error };
        return;
      }
      for (const operation of batch) operation.outcome = undefined;
      this.isolated(batch);
    }
  }
}
