import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type {
  AttemptRecord,
  DeliveryQueue,
  DeliveryRecord,
  Lease,
  LeaseRequest,
  MessageRecord,
  MessageView,
  NewDelivery,
  OutboxMessage,
  OutboxQueue,
  OutboxTransaction,
  RouteOutboxMessage,
  Settlement,
} from '../../delivery';
import {
  checkMessageQuery,
  checkPruneOptions,
  checkTimes,
  encodeCursor,
  type CheckedMessageQuery,
} from '../../delivery/history-query';
import type { EndpointStats, MessageHistory, MessageQuery, Page, PruneOptions } from '../../delivery/message-history';
import { DeliveryQueueError, HookspecError } from '../../errors';
import { GroupCommit } from './group-commit';
import { loadBetterSqlite3 } from './load-better-sqlite3';
import { resolveSqliteQueueOptions } from './sqlite-queue-options';
import type { ResolvedSqliteQueueOptions, SqliteQueueOptions } from './sqlite-queue-options';
import { BUSY_TIMEOUT_MS, migrateQueueTables, prepareDatabase } from './sqlite-schema';
import { SqliteOutbox } from './sqlite-outbox';
import { AppTransactionGate } from './sqlite-outbox-gate';
import { SqliteHistoryQueries } from './sqlite-history-query';
import { prepareStatements } from './sqlite-statements';
import { byDue, dueFetchSize, pickInDueOrder, SCAN_SLACK, type Capacity, type DueRow } from '../due-rows';
import type { DeliveryRow, MessageRow, SeqRange, SqliteStatements } from './sqlite-statements';

/** A lease token's random part: 96 bits, after the delivery's seq. */
const TOKEN_BYTES = 12;

/**
 * A durable queue in one SQLite file (better-sqlite3 12, an optional peer dependency): a message is
 * committed, with all its deliveries, before `send()` resolves, and survives `kill -9` (and, with
 * `synchronous: 'FULL'`, a power loss). Several processes on one machine may share the file: producers
 * with `worker: false` and any number of workers; leases keep two workers from sending one delivery at
 * once. Every time the queue uses comes from its callers' `now`.
 *
 * ```ts
 * const client = new WebhookClient({ webhooks, endpoints, queue: new SqliteQueue({ path: './webhooks.db' }) });
 * ```
 *
 * Given the app's own better-sqlite3 connection instead (`{ database: db }`), it keeps its tables in the
 * app's database and adds the transactional outbox: `send(payload, { tx: db })` inside the app's
 * transaction writes the message with the business write (see docs/queues.md).
 */
export class SqliteQueue implements DeliveryQueue, MessageHistory, OutboxQueue {
  private readonly options: ResolvedSqliteQueueOptions;
  private readonly db: Database.Database;
  private readonly statements: SqliteStatements;
  private readonly watchers = new Set<NodeJS.Timeout>();
  /** The callbacks of watch(), woken when an outbox write's transaction on this connection ends. */
  private readonly wakers = new Set<() => void>();
  /** A wake-up of the wakers is due when the app's transaction ends. */
  private wakeAtEnd = false;
  private closed = false;
  private readonly writes: GroupCommit;
  /** Set on the app's connection: keeps the queue's writes out of the app's transactions. */
  private readonly gate: AppTransactionGate | undefined;
  private readonly outbox: SqliteOutbox;
  private readonly getMessageTx: (messageId: string) => MessageView | undefined;
  private readonly history: SqliteHistoryQueries;
  private readonly queryTx: (query: CheckedMessageQuery) => Page<MessageView>;
  private readonly statsTx: (endpointId: string, since: number, until: number) => EndpointStats;

  constructor(options: SqliteQueueOptions) {
    this.options = resolveSqliteQueueOptions(options);
    const resolved = this.options;
    const { path } = resolved;
    // The app's connection is a better-sqlite3 Database; the options type it structurally.
    const appDatabase = resolved.database as Database.Database | undefined;
    let db: Database.Database | undefined = appDatabase;
    try {
      if (resolved.database === undefined) {
        const Sqlite = loadBetterSqlite3();
        db = new Sqlite(path, { timeout: BUSY_TIMEOUT_MS });
        prepareDatabase(db, path, resolved.synchronous);
      } else {
        // The connection is configured as the app wants it (journal mode, sync level, busy timeout).
        migrateQueueTables(db as Database.Database, path, true);
      }
      this.statements = prepareStatements(db as Database.Database);
      this.outbox = new SqliteOutbox(db as Database.Database, appDatabase, path);
    } catch (error) {
      if (!appDatabase) db?.close();
      if (error instanceof HookspecError) throw error;
      throw new DeliveryQueueError(
        'queue-failed',
        `SqliteQueue cannot open ${path}: ${(error as Error).message}. Check that the directory exists and is ` +
          'writable, and that the file is a SQLite database (or does not exist yet).',
        { cause: error },
      );
    }
    this.db = db as Database.Database;
    this.gate = appDatabase ? new AppTransactionGate(appDatabase, path) : undefined;
    this.writes = new GroupCommit(this.db, this.options.synchronous, this.gate);
    // One read transaction, so that the message and its deliveries are seen as of one moment.
    this.getMessageTx = this.db.transaction(this.getMessageNow.bind(this)).deferred;
    this.history = new SqliteHistoryQueries(this.db);
    this.queryTx = this.db.transaction(this.queryNow.bind(this)).deferred;
    this.statsTx = this.db.transaction(this.statsNow.bind(this)).deferred;
  }

  /** The database file. */
  get path(): string {
    return this.options.path;
  }

  enqueue(message: MessageRecord, deliveries: readonly NewDelivery[]): Promise<void> {
    return this.write('enqueue()', () => this.enqueueNow(message, deliveries));
  }

  /**
   * Writes the message as one row of the outbox, at once, in the app's transaction open on the connection
   * this queue was given (`tx` must be that Database); the workers are woken when that transaction ends.
   */
  async enqueueInTransaction(tx: OutboxTransaction, message: OutboxMessage): Promise<void> {
    this.use('send({ tx })', () => this.outbox.write(tx, message));
    // One wake-up for every message of the transaction.
    if (this.wakeAtEnd) return;
    this.wakeAtEnd = true;
    this.gate?.afterTransaction(() => {
      this.wakeAtEnd = false;
      for (const wake of this.wakers) wake();
    });
  }

  async routeOutbox(route: RouteOutboxMessage, options: { readonly limit: number }): Promise<number> {
    this.assertOpen('routing the outbox');
    return this.outbox.route(route, options.limit, {
      free: async () => this.gate?.free(),
      read: (operation) => this.use('routing the outbox', operation),
      commit: (operation) => this.write('routing the outbox', operation),
      insert: (message, deliveries) => this.enqueueNow(message, deliveries),
    });
  }

  lease(request: LeaseRequest): Promise<Lease[]> {
    // Not durable: a lease lost to a power cut is leased again, as one lost to a crash is.
    return this.write('lease()', () => this.leaseNow(request), false);
  }

  settle(lease: Lease, attempt: AttemptRecord | undefined, settlement: Settlement): Promise<boolean> {
    return this.write('settle()', () => this.settleNow(lease, attempt, settlement));
  }

  async nextDueAt(endpointCapacity?: (endpointId: string) => number): Promise<number | undefined> {
    return this.use('nextDueAt()', () => this.nextDueAtNow(endpointCapacity));
  }

  async countPending(): Promise<number> {
    return this.use('countPending()', () => this.statements.countPending.get() as number);
  }

  async getMessage(messageId: string): Promise<MessageView | undefined> {
    return this.use('getMessage()', () => this.getMessageTx(messageId));
  }

  redeliver(
    messageId: string,
    options: { now: number; endpointId?: string; includeDelivered?: boolean },
  ): Promise<number> {
    return this.write('redeliver()', () => this.redeliverNow(messageId, options));
  }

  async queryMessages(query: MessageQuery): Promise<Page<MessageView>> {
    const checked = checkMessageQuery(query, 'SqliteQueue.queryMessages()');
    return this.use('queryMessages()', () => this.queryTx(checked));
  }

  async endpointStats(endpointId: string, window: { since: number; until: number }): Promise<EndpointStats> {
    checkTimes({ since: window.since, until: window.until }, [], 'SqliteQueue.endpointStats()');
    return this.use('endpointStats()', () => this.statsTx(endpointId, window.since, window.until));
  }

  async recover(endpointId: string, options: { now: number; since: number; until?: number }): Promise<number> {
    const { now, since, until } = options;
    checkTimes({ now, since, until }, ['until'], 'SqliteQueue.recover()');
    return this.write('recover()', () => {
      const until = options.until ?? Number.MAX_VALUE;
      const messages = this.statements.recover.all(options.now, endpointId, options.since, until);
      for (const messageId of new Set(messages)) this.statements.unfinish.run(messageId);
      return messages.length;
    });
  }

  erasePayload(messageId: string, options: { now: number }): Promise<boolean> {
    return this.write('erasePayload()', () => {
      const range = this.statements.eraseMessage.get(options.now, messageId);
      if (!range) return false;
      if (this.statements.cancelPending.run(range.first_seq, range.last_seq).changes > 0) this.finish(messageId);
      return true;
    });
  }

  async prune(options: PruneOptions): Promise<number> {
    const { olderThan, keepMessages } = checkPruneOptions(options, 'SqliteQueue.prune()');
    return this.write('prune()', () => {
      const s = this.statements;
      const victims = new Set<string>();
      if (olderThan !== undefined) for (const id of s.finishedBefore.iterate(olderThan)) victims.add(id);
      if (keepMessages !== undefined) for (const id of s.finishedBeyond.iterate(keepMessages)) victims.add(id);
      for (const id of victims) this.deleteDeliveries(s.deleteMessage.get(id));
      return victims.size;
    });
  }

  /**
   * Calls `onWork` when another connection (another process, or another SqliteQueue on the same file) has
   * committed since the last look, checked every `pollIntervalMs` through `PRAGMA data_version`, which
   * reads a counter and no table. The timer keeps the process alive until the returned function (or
   * `close()`) stops it, as a worker waiting for producers should.
   */
  watch(onWork: () => void): () => void {
    this.assertOpen('watch()');
    let seen = this.dataVersion();
    const timer = setInterval(() => {
      if (this.closed) return;
      let version: number;
      try {
        version = this.dataVersion();
      } catch {
        // A busy or failing file is reported by the worker's own next call; the next tick looks again.
        return;
      }
      if (version === seen) return;
      seen = version;
      onWork();
    }, this.options.pollIntervalMs);
    this.watchers.add(timer);
    this.wakers.add(onWork);
    return () => {
      clearInterval(timer);
      this.watchers.delete(timer);
      this.wakers.delete(onWork);
    };
  }

  /**
   * Closes the database; pending work stays in the file for the next process. Later calls reject. The
   * app's own connection stays open: writes still waiting for its transaction commit when it ends.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.watchers) clearInterval(timer);
    this.watchers.clear();
    this.wakers.clear();
    this.writes.flush();
    if (!this.options.database) this.db.close();
  }

  /** Runs a read now, naming the file and the operation when SQLite fails. */
  private use<T>(what: string, operation: () => T): T {
    this.assertOpen(what);
    try {
      return operation();
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  /** Runs a write in the next group commit; resolves once it is committed (and synced, if `durable`). */
  private async write<T>(what: string, operation: () => T, durable = true): Promise<T> {
    this.assertOpen(what);
    try {
      return await this.writes.run(operation, durable);
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  private assertOpen(what: string): void {
    if (!this.closed) return;
    throw new DeliveryQueueError(
      'queue-closed',
      `SqliteQueue ${what}: the queue on ${this.options.path} is closed; create a new SqliteQueue to use the file again.`,
    );
  }

  private failure(what: string, error: unknown): Error {
    if (error instanceof HookspecError) return error;
    return new DeliveryQueueError(
      'queue-failed',
      `SqliteQueue ${what} failed on ${this.options.path}: ${(error as Error).message}`,
      { cause: error },
    );
  }

  private dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  private enqueueNow(message: MessageRecord, deliveries: readonly NewDelivery[]): void {
    const s = this.statements;
    let seq: number;
    try {
      seq = s.insertMessage.get(
        message.id,
        message.event,
        message.body,
        message.createdAt,
        message.owner ?? null,
        message.erasedAt ?? null,
        deliveries.length,
      ) as number;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
      throw new DeliveryQueueError(
        'duplicate-message',
        `message ${message.id} is already queued; message ids are unique.`,
      );
    }
    const owner = message.owner ?? null;
    let pending = 0;
    for (const d of deliveries) {
      const status = d.status ?? 'pending';
      const next = status === 'pending' ? d.nextAttemptAt : null;
      s.insertDelivery.run(seq, message.id, d.endpointId, d.url, status, status, next, message.createdAt, owner);
      seq += 1;
      if (status === 'pending') pending += 1;
    }
    if (pending === 0) this.finish(message.id);
  }

  private leaseNow(request: LeaseRequest): Lease[] {
    const s = this.statements;
    const limit = Number.isFinite(request.limit) ? Math.floor(request.limit) : Number.MAX_SAFE_INTEGER;
    if (!(limit > 0)) return [];
    s.reclaimExpired.run(request.now);
    const picked = this.pickDue(request.now, limit, request.endpointCapacity);
    const leasedUntil = request.now + request.leaseMs;
    const messages = new Map<string, MessageRecord>();
    // One call for the batch's random bytes: a call per token cost more than the bytes.
    const random = randomBytes(TOKEN_BYTES * picked.length);
    return picked.map((due, n) => {
      const token = `${due.seq}.${random.toString('base64url', n * TOKEN_BYTES, (n + 1) * TOKEN_BYTES)}`;
      const row = s.markLeased.get(token, leasedUntil, due.seq) as DeliveryRow;
      let message = messages.get(row.message_id);
      if (!message) {
        message = toMessageRecord(this.statements.message.get(row.message_id) as MessageRow);
        messages.set(row.message_id, message);
      }
      return { token, message, delivery: this.deliveryRecord(row), leasedUntil };
    });
  }

  /** The due deliveries to lease: oldest first, first-in first-out among equals, within each endpoint's capacity. */
  private pickDue(now: number, limit: number, capacity: Capacity): DueRow[] {
    const fetch = dueFetchSize(limit);
    const { picked, exact } = pickInDueOrder(this.statements.dueInOrder.all(now, fetch), fetch, limit, capacity);
    if (exact) return picked;
    // Endpoints without capacity hold the oldest rows: take each endpoint's own oldest instead.
    const candidates: DueRow[] = [];
    for (const endpointId of this.statements.waitingEndpoints.all()) {
      const left = Math.min(capacity?.(endpointId) ?? Infinity, limit);
      if (left > 0) candidates.push(...this.statements.dueForEndpoint.all(endpointId, now, left));
    }
    return candidates.sort(byDue).slice(0, limit);
  }

  private settleNow(lease: Lease, attempt: AttemptRecord | undefined, settlement: Settlement): boolean {
    const s = this.statements;
    const seq = Number(lease.token.slice(0, lease.token.indexOf('.')));
    if (!Number.isSafeInteger(seq)) return false;
    const ok = attempt?.status !== undefined && attempt.status >= 200 && attempt.status < 300;
    const settled = s.settle.get({
      status: settlement.status,
      next: settlement.status === 'pending' ? settlement.nextAttemptAt : null,
      made: attempt ? 1 : 0,
      success: attempt && ok ? attempt.startedAt : null,
      failure: attempt && !ok ? attempt.startedAt : null,
      seq,
      token: lease.token,
    });
    if (!settled) return false;
    if (attempt) s.insertAttempt.run(seq, settled.attempt_count - 1, JSON.stringify(attempt));
    // A cancelled delivery's message finished when it was erased.
    if (settlement.status !== 'pending' && settled.status !== 'cancelled') this.finish(settled.message_id);
    return true;
  }

  /**
   * Numbers a message that has just finished, if none of its deliveries is pending any more, and deletes
   * the ones that finished `retainFinished` finishes ago or earlier: one index probe when nothing is that
   * old, so it runs on every finish.
   */
  private finish(messageId: string): void {
    const s = this.statements;
    const order = s.finishIfDone.get(messageId);
    if (order === undefined) return;
    const oldest = order - this.options.retainFinished;
    if (oldest <= 0) return;
    for (const range of s.pruneMessages.all(oldest)) this.deleteDeliveries(range);
  }

  /** Deletes a deleted message's deliveries and their attempt logs, given its range of seqs. */
  private deleteDeliveries(range: SeqRange | undefined): void {
    if (!range) return;
    this.statements.deleteAttemptsIn.run(range.first_seq, range.last_seq);
    this.statements.deleteDeliveriesIn.run(range.first_seq, range.last_seq);
  }

  private nextDueAtNow(capacity: Capacity): number | undefined {
    const s = this.statements;
    const room = new Map<string, boolean>();
    const hasRoom = (endpointId: string): boolean => {
      let free = room.get(endpointId);
      if (free === undefined) {
        free = (capacity?.(endpointId) ?? Infinity) > 0;
        room.set(endpointId, free);
      }
      return free;
    };
    let next: number | undefined;
    const rows = s.waitingInOrder.all(SCAN_SLACK);
    const first = rows.find((row) => hasRoom(row.endpoint_id));
    if (first) next = first.next_attempt_at;
    else if (rows.length === SCAN_SLACK) {
      for (const endpointId of s.waitingEndpoints.all()) {
        if (!hasRoom(endpointId)) continue;
        const at = s.firstWaitingOfEndpoint.get(endpointId);
        if (typeof at === 'number' && (next === undefined || at < next)) next = at;
      }
    }
    // Leases are few (at most every worker's concurrency), and the first one with room is the earliest.
    for (const leased of s.leasesInOrder.iterate()) {
      if (!hasRoom(leased.endpoint_id)) continue;
      if (next === undefined || leased.leased_until < next) next = leased.leased_until;
      break;
    }
    return next;
  }

  private redeliverNow(
    messageId: string,
    options: { now: number; endpointId?: string; includeDelivered?: boolean },
  ): number {
    const endpoint = options.endpointId ?? null;
    const resend = options.includeDelivered ? 1 : 0;
    const range = this.statements.rangeOf.get(messageId);
    if (!range) return 0;
    const { first_seq: first, last_seq: last } = range;
    const { changes } = this.statements.redeliver.run(options.now, first, last, resend, endpoint, endpoint);
    if (changes > 0) this.statements.unfinish.run(messageId);
    return changes;
  }

  private getMessageNow(messageId: string): MessageView | undefined {
    const row = this.statements.message.get(messageId);
    if (!row) return undefined;
    const deliveries = this.statements.deliveriesOf
      .all(row.first_seq, row.last_seq)
      .map((delivery) => this.deliveryRecord(delivery));
    return { message: toMessageRecord(row), deliveries };
  }

  private queryNow(query: CheckedMessageQuery): Page<MessageView> {
    const ids = this.history.messageIds(query);
    const items = ids.slice(0, query.limit).map((id) => this.getMessageNow(id) as MessageView);
    const last = items[items.length - 1];
    return ids.length > query.limit && last ? { items, nextCursor: encodeCursor(query, last.message) } : { items };
  }

  private statsNow(endpointId: string, since: number, until: number): EndpointStats {
    const counts = { pending: 0, failing: 0, delivered: 0, exhausted: 0, disabled: 0 };
    let lastSuccessAt: number | null = null;
    let lastFailureAt: number | null = null;
    for (const row of this.statements.stats.iterate(endpointId, since, until)) {
      if (row.state in counts) counts[row.state as keyof typeof counts] = row.count;
      if (row.last_success_at !== null && (lastSuccessAt === null || row.last_success_at > lastSuccessAt)) {
        lastSuccessAt = row.last_success_at;
      }
      if (row.last_failure_at !== null && (lastFailureAt === null || row.last_failure_at > lastFailureAt)) {
        lastFailureAt = row.last_failure_at;
      }
    }
    return {
      endpointId,
      since,
      until,
      ...counts,
      ...(lastSuccessAt === null ? {} : { lastSuccessAt }),
      ...(lastFailureAt === null ? {} : { lastFailureAt }),
    };
  }

  private deliveryRecord(row: DeliveryRow): DeliveryRecord {
    const attempts =
      row.attempt_count === 0
        ? []
        : this.statements.attemptsOf.all(row.seq).map((record) => JSON.parse(record) as AttemptRecord);
    return {
      messageId: row.message_id,
      endpointId: row.endpoint_id,
      url: row.url,
      status: row.status,
      attempts,
      scheduleBase: row.schedule_base,
      ...(row.status === 'pending' && row.next_attempt_at !== null ? { nextAttemptAt: row.next_attempt_at } : {}),
    };
  }
}

function toMessageRecord(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    event: row.event,
    body: row.body,
    createdAt: row.created_at,
    ...(row.owner === null ? {} : { owner: row.owner }),
    ...(row.erased_at === null ? {} : { erasedAt: row.erased_at }),
  };
}
