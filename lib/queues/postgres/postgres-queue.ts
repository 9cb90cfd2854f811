import { createHash, randomUUID } from 'node:crypto';
import type { CustomTypesConfig, Pool } from 'pg';
import type {
  AttemptRecord,
  DeliveryQueue,
  EndpointStats,
  Lease,
  LeaseRequest,
  MessageHistory,
  MessageQuery,
  MessageRecord,
  MessageView,
  NewDelivery,
  OutboxMessage,
  OutboxQueue,
  OutboxTransaction,
  Page,
  PruneOptions,
  RouteOutboxMessage,
  Settlement,
} from '../../delivery';
import { DeliveryQueueError, HookspecError } from '../../errors';
import { loadPg } from './load-pg';
import { PostgresHistory } from './postgres-history';
import { checkTimes } from '../../delivery/history-query';
import { resolvePostgresQueueOptions } from './postgres-queue-options';
import type { PostgresQueueOptions, ResolvedPostgresQueueOptions } from './postgres-queue-options';
import { messageViews, type RunQuery } from './postgres-rows';
import { PostgresLeases } from './postgres-leases';
import { PostgresSettles } from './postgres-settles';
import { PostgresEnqueues, UNIQUE_VIOLATION } from './postgres-enqueues';
import { migrate } from './postgres-schema';
import { WorkListener } from './work-listener';
import { routeOutbox } from './postgres-outbox';
import { transactionStatement } from './postgres-transaction';

/** PostgreSQL error codes the queue answers to. */
const DEADLOCK_DETECTED = '40P01';

/** Finished messages deleted by one retention pass; the next finish deletes more. */
const PRUNE_BATCH = 500;

/**
 * A durable queue in the application's own PostgreSQL database (node-postgres 8, an optional peer
 * dependency), in a schema of its own: a message is committed, with all its deliveries, before `send()`
 * resolves. Any number of processes on any number of machines may share it: producers with
 * `worker: false` and workers, which claim deliveries with `FOR UPDATE SKIP LOCKED` so that two never
 * send one delivery at once, and wake each other with LISTEN/NOTIFY. Every time the queue uses comes from
 * its callers' `now`. It keeps the message history that `WebhookAdmin` reads, on indexes.
 *
 * ```ts
 * const queue = new PostgresQueue({ pool }); // the app's pg.Pool, or { connectionString }
 * const client = new WebhookClient({ webhooks, endpoints, queue });
 * ```
 */
export class PostgresQueue implements DeliveryQueue, MessageHistory, OutboxQueue {
  private readonly options: ResolvedPostgresQueueOptions;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  /** The schema, quoted for SQL. */
  private readonly S: string;
  private readonly types: CustomTypesConfig;
  /** What this queue sends with NOTIFY, so that its own watch can tell its own announcements apart. */
  private readonly id = randomUUID();
  private readonly channel: string;
  private readonly listener: WorkListener;
  private readonly leases: PostgresLeases;
  private readonly enqueues: PostgresEnqueues;
  private readonly settles: PostgresSettles;
  private readonly history: PostgresHistory;
  /** The prepared statements' names, by text. */
  private readonly statementNames = new Map<string, string>();
  private migrated: Promise<void> | undefined;
  /** A NOTIFY is in flight (announce()), and sends committed since it started want another. */
  private announcing = false;
  private announceAgain = false;
  private closed = false;

  constructor(options: PostgresQueueOptions) {
    this.options = resolvePostgresQueueOptions(options);
    const pg = loadPg();
    const { schema } = this.options;
    this.S = `"${schema}"`;
    this.ownsPool = this.options.pool === undefined;
    this.pool =
      this.options.pool ?? new pg.Pool({ connectionString: this.options.connectionString, max: this.options.poolSize });
    // An idle connection that breaks emits 'error' on the pool, which would end the process without a
    // listener; the next query reports what is wrong.
    if (this.ownsPool) this.pool.on('error', () => {});
    // bigint columns (times, counts) as numbers: epoch milliseconds are exact in a double.
    const parseDefault = pg.types.getTypeParser.bind(pg.types);
    this.types = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? Number : parseDefault(oid, format)) as CustomTypesConfig['getTypeParser'],
    };
    this.channel = `${schema}_work`;
    this.listener = new WorkListener(this.pool, `"${this.channel}"`, this.id, this.options.pollIntervalMs, () =>
      this.ready('watch()'),
    );
    this.leases = new PostgresLeases(this.S, this.prepared);
    this.enqueues = new PostgresEnqueues(this.S, this.prepared);
    this.settles = new PostgresSettles(this.S, this.prepared, (finishedOrder) => this.pruneFinished(finishedOrder));
    this.history = new PostgresHistory(this.S, this.query, this.channel, this.id);
  }

  /** The schema holding the queue's tables. */
  get schema(): string {
    return this.options.schema;
  }

  /**
   * Writes the message as one row of the outbox, in the caller's transaction, and notifies the workers
   * at its commit (a notification sent in a transaction is delivered when it commits, and never if it
   * rolls back). The schema is brought up to date first, on a connection of the queue's own.
   */
  async enqueueInTransaction(tx: OutboxTransaction, message: OutboxMessage): Promise<void> {
    const run = transactionStatement(tx);
    await this.ready('send({ tx })');
    try {
      await run(
        `WITH written AS (
           INSERT INTO ${this.S}.outbox (id, event, body, owner, created_at, endpoint_ids)
           VALUES ($1, $2, $3, $4, $5, $6)
         )
         SELECT pg_notify($7, 'outbox')`,
        [
          message.id,
          message.event,
          message.body,
          message.owner ?? null,
          message.createdAt,
          message.endpointIds ?? null,
          this.channel,
        ],
      );
    } catch (error) {
      throw this.failure('send({ tx })', error);
    }
  }

  async routeOutbox(route: RouteOutboxMessage, options: { readonly limit: number }): Promise<number> {
    await this.ready('routing the outbox');
    return routeOutbox(this.pool, this.types, route, options.limit, this.S, (error) =>
      this.failure('routing the outbox', error),
    ).then((routed) => {
      // Other processes' workers learn of the new deliveries after the commit, as for send().
      if (routed.pending) this.announce();
      return routed.count;
    });
  }

  async enqueue(message: MessageRecord, deliveries: readonly NewDelivery[]): Promise<void> {
    try {
      await this.enqueues.enqueue(message, deliveries);
    } catch (error) {
      if ((error as { cause?: { code?: string } }).cause?.code === UNIQUE_VIOLATION) {
        throw new DeliveryQueueError(
          'duplicate-message',
          `message ${message.id} is already queued; message ids are unique.`,
          { cause: error },
        );
      }
      throw error;
    }
    if (deliveries.some((d) => (d.status ?? 'pending') === 'pending')) this.announce();
  }

  lease(request: LeaseRequest): Promise<Lease[]> {
    return this.leases.lease(request);
  }

  async settle(lease: Lease, attempt: AttemptRecord | undefined, settlement: Settlement): Promise<boolean> {
    const seq = Number(lease.token.slice(0, lease.token.indexOf('.')));
    if (!Number.isSafeInteger(seq)) return false;
    return this.settles.settle({
      seq,
      token: lease.token,
      status: settlement.status,
      nextAttemptAt: settlement.status === 'pending' ? settlement.nextAttemptAt : null,
      attempted: attempt ? 1 : 0,
      startedAt: attempt?.startedAt ?? 0,
      succeeded: attempt?.status !== undefined && attempt.status >= 200 && attempt.status < 300,
      record: attempt ? JSON.stringify(attempt) : null,
    });
  }

  nextDueAt(endpointCapacity?: (endpointId: string) => number): Promise<number | undefined> {
    return this.leases.nextDueAt(endpointCapacity);
  }

  async countPending(): Promise<number> {
    const [row] = await this.prepared<{ n: number }>(
      'countPending()',
      // A pending delivery's state is pending or failing: the state index counts them without the table.
      `SELECT count(*) AS n FROM ${this.S}.deliveries WHERE state IN ('pending', 'failing')`,
    );
    return row?.n ?? 0;
  }

  async getMessage(messageId: string): Promise<MessageView | undefined> {
    const [view] = messageViews(await this.history.views('getMessage()', [messageId]));
    return view;
  }

  redeliver(
    messageId: string,
    options: { now: number; endpointId?: string; includeDelivered?: boolean },
  ): Promise<number> {
    const statuses = options.includeDelivered ? ['exhausted', 'disabled', 'delivered'] : ['exhausted', 'disabled'];
    return this.history.restart('redeliver()', 'd.message_id = $2', [messageId], options.now, statuses, {
      endpointId: options.endpointId,
    });
  }

  queryMessages(query: MessageQuery): Promise<Page<MessageView>> {
    return this.history.queryMessages(query);
  }

  async endpointStats(endpointId: string, window: { since: number; until: number }): Promise<EndpointStats> {
    checkTimes({ since: window.since, until: window.until }, [], 'PostgresQueue.endpointStats()');
    return this.history.endpointStats(endpointId, window);
  }

  async recover(endpointId: string, options: { now: number; since: number; until?: number }): Promise<number> {
    checkTimes({ now: options.now, since: options.since, until: options.until }, ['until'], 'PostgresQueue.recover()');
    return this.history.recover(endpointId, options);
  }

  async erasePayload(messageId: string, options: { now: number }): Promise<boolean> {
    const finished = await this.history.erasePayload(messageId, options.now);
    if (finished === undefined) return false;
    if (finished !== null) await this.pruneFinished(finished);
    return true;
  }

  prune(options: PruneOptions): Promise<number> {
    return this.history.prune(options);
  }

  /**
   * Calls `onWork` when another process (or another PostgresQueue in this one) enqueues, redelivers or
   * recovers, through LISTEN on a connection of the pool held while watching, and every `pollIntervalMs`
   * as well. The timer keeps the process alive until the returned function (or `close()`) stops it, as a
   * worker waiting for producers should.
   */
  watch(onWork: () => void): () => void {
    this.assertOpen('watch()');
    return this.listener.add(onWork);
  }

  /**
   * Stops the watches and, when the queue made its own pool (from `connectionString`), ends it; a pool
   * of the application stays open. Pending work stays in the database. Later calls reject.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listener.close();
    if (this.ownsPool) await this.pool.end();
  }

  /** Runs one statement once the schema is ready, naming the operation when PostgreSQL fails. */
  private readonly query: RunQuery = <R>(what: string, text: string, values: readonly unknown[] = []): Promise<R[]> =>
    this.run<R>(what, text, values, undefined);

  /**
   * Runs one statement of the delivery path (enqueue, lease, settle) as a prepared statement: each
   * connection parses and plans it once instead of at every call, which is most of what such a short
   * statement costs the server. Named by a hash of its text, so that queues on different schemas may
   * share a pool.
   */
  private readonly prepared: RunQuery = <R>(
    what: string,
    text: string,
    values: readonly unknown[] = [],
  ): Promise<R[]> => {
    let name = this.statementNames.get(text);
    if (name === undefined) {
      name = `hookspec_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.statementNames.set(text, name);
    }
    return this.run<R>(what, text, values, name);
  };

  private async run<R>(what: string, text: string, values: readonly unknown[], name: string | undefined): Promise<R[]> {
    await this.ready(what);
    for (let tries = 1; ; tries += 1) {
      try {
        const result = await this.pool.query({ name, text, values: values as unknown[], types: this.types });
        return result.rows as R[];
      } catch (error) {
        // Two statements that lock one message's rows in different orders: PostgreSQL aborts one; run it again.
        if ((error as { code?: string }).code === DEADLOCK_DETECTED && tries < 3) continue;
        throw this.failure(what, error);
      }
    }
  }

  /** Brings the schema up to date once, before the first statement; a failure is retried by the next call. */
  private ready(what: string): Promise<void> {
    this.assertOpen(what);
    this.migrated ??= (async () => {
      const client = await this.pool.connect();
      try {
        await migrate(client, this.options.schema);
      } finally {
        client.release();
      }
    })().catch((error: unknown) => {
      this.migrated = undefined;
      throw this.failure(what, error);
    });
    return this.migrated;
  }

  /**
   * Tells the workers of other processes that work arrived, after the commit. Not in the enqueue's own
   * transaction: a transaction that NOTIFYs holds one database-wide lock from its commit until its WAL is
   * flushed, so concurrent sends would commit one at a time instead of sharing a flush. One NOTIFY in
   * flight at a time stands for every send committed before it starts: a burst of sends costs a few. A
   * NOTIFY lost (an error, a crash after the commit) only delays the other workers until their next poll.
   */
  private announce(): void {
    if (this.announcing) {
      this.announceAgain = true;
      return;
    }
    this.announcing = true;
    void (async () => {
      try {
        do {
          this.announceAgain = false;
          await this.prepared('enqueue()', 'SELECT pg_notify($1, $2)', [this.channel, this.id]);
        } while (this.announceAgain && !this.closed);
      } catch {
        // The pollers find the work (see pollIntervalMs); a closed queue announces nothing more.
      } finally {
        this.announcing = false;
      }
    })();
  }

  /**
   * Deletes the messages that finished `retainFinished` finishes before `finishedOrder` or earlier: one
   * index probe when nothing is that old, so it runs on every finish. Rows another process is deleting
   * are skipped, so two workers pruning at once never wait on each other.
   */
  private async pruneFinished(finishedOrder: number): Promise<void> {
    const oldest = finishedOrder - this.options.retainFinished;
    if (oldest <= 0) return;
    const S = this.S;
    await this.query(
      'settle()',
      `DELETE FROM ${S}.messages WHERE id IN (
         SELECT id FROM ${S}.messages WHERE finished_order <= $1
         ORDER BY finished_order LIMIT ${PRUNE_BATCH} FOR UPDATE SKIP LOCKED)`,
      [oldest],
    );
  }

  private assertOpen(what: string): void {
    if (!this.closed) return;
    throw new DeliveryQueueError(
      'queue-closed',
      `PostgresQueue ${what}: the queue on schema "${this.options.schema}" is closed; create a new ` +
        'PostgresQueue to use it again.',
    );
  }

  private failure(what: string, error: unknown): Error {
    if (error instanceof HookspecError) return error;
    return new DeliveryQueueError(
      'queue-failed',
      `PostgresQueue ${what} failed on schema "${this.options.schema}": ${(error as Error).message}`,
      { cause: error },
    );
  }
}
