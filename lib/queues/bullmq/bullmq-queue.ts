import { randomUUID } from 'node:crypto';
import type { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeliveryQueue, LeaseRequest, NewDelivery } from '../../delivery/delivery-queue';
import type { AttemptRecord, Lease, MessageRecord, MessageView, Settlement } from '../../delivery/delivery-records';
import type { EndpointStats, MessageHistory, MessageQuery, Page, PruneOptions } from '../../delivery/message-history';
import { DeliveryQueueError } from '../../errors';
import { BullMqHistory } from './bullmq-history';
import type { BullMqQueueOptions } from './bullmq-queue-options';
import {
  addDeliveryJob,
  BullMqKeys,
  fetchedJob,
  moveToDelayedFetchingNext,
  redisOf,
  startStalledCheck,
  type NextJobData,
} from './bullmq-internals';
import { checkBullMqOptions, type BullMqSettings } from './check-bullmq-options';
import type { DeliveryJob, DeliveryJobData, HeldJob } from './delivery-job';
import { EnqueueBatcher } from './enqueue-batch';
import { loadBullMq, type BullMqModules } from './load-bullmq';
import { decodeMessageHash, endpointsOfHash, pendingCount, type LeaseRead } from './message-hash';
import { nextDueFrom } from './next-due';
import { execOrThrow, safeMessage } from './redis-exec';
import { deliveryJobId, HookspecKeys } from './redis-keys';
import { ScriptCalls, type SettlementCall } from './script-calls';
import { withScripts, type ScriptClient, type ScriptMulti } from './script-client';
import { SettleBatcher } from './settle-batch';
import { WorkWatch } from './work-watch';

/** Scanned beyond `limit` per lease() call for endpoints with capacity left, before giving up for now. */
const SCAN_SLACK = 64;
/** How many waiting, delayed and active jobs nextDueAt() looks at. */
const PEEK_COUNT = 200;
/** BullMQ's lock on a job it hands out, should the worker be made before any lease (see ensureWorker()). */
const INITIAL_LOCK_MS = 30_000;
/** Stalled deliveries always come back: their count must never fail them. */
const NEVER_FAIL_STALLED = 1_000_000_000;

const noop = (): void => {};

/**
 * A delivery queue on Redis, through BullMQ: producers and workers in many processes on many machines
 * share it. One BullMQ job per delivery (message × endpoint) schedules the work; the message, each
 * delivery's status and its attempt log live beside it in hookspec's own keys. A lease is BullMQ's job
 * lock; a worker that dies loses it, and its deliveries are delivered again (at least once, never lost).
 *
 * ```ts
 * const queue = new BullMqQueue({ connection: { host: '127.0.0.1', port: 6379 } });
 * const client = new WebhookClient({ webhooks, endpoints, queue });
 * ```
 */
export class BullMqQueue implements DeliveryQueue, MessageHistory {
  private readonly modules: BullMqModules;
  private readonly queue: Queue<DeliveryJobData>;
  private readonly keys: HookspecKeys;
  private readonly scripts: ScriptCalls;
  private readonly connection: BullMqQueueOptions['connection'];
  private readonly settings: BullMqSettings;
  private worker: Worker<DeliveryJobData> | undefined;
  private clientReady: Promise<ScriptClient> | undefined;
  private workerClientReady: Promise<ScriptClient> | undefined;
  /** Jobs this process holds a lease on, by lease token: settle() moves them. */
  private readonly held = new Map<string, DeliveryJob>();
  /**
   * Jobs a settlement took as the next lease (BullMQ's fetch-next), under a fresh lock token; lease()
   * serves them first. Each is locked for `lockMs` from its settlement; close() hands them back, and one
   * left behind (a process that died) comes back through the stalled check when its lock expires.
   */
  private prefetched: HeldJob[] = [];
  /** The lock BullMQ sets when it hands a job out: the first lease's length (see ensureWorker()). */
  private lockMs = INITIAL_LOCK_MS;
  private readonly workWatch: WorkWatch;
  private readonly history: BullMqHistory;
  private readonly enqueues: EnqueueBatcher;
  private readonly settles: SettleBatcher;
  private closing: Promise<void> | undefined;

  constructor(options: BullMqQueueOptions) {
    this.settings = checkBullMqOptions(options);
    this.modules = loadBullMq();
    this.connection = options.connection;
    this.queue = new this.modules.bullmq.Queue<DeliveryJobData>(this.settings.name, {
      connection: this.connection,
      prefix: this.settings.prefix,
    });
    // Failures reach the caller as rejected calls; an 'error' event without a listener would crash the process.
    this.queue.on('error', noop);
    this.keys = new HookspecKeys(this.queue.toKey('hookspec:'));
    const bullKeys = new BullMqKeys(this.queue);
    this.scripts = new ScriptCalls(this.keys, bullKeys, this.settings);
    this.workWatch = new WorkWatch(
      () => this.client() as Promise<Redis>,
      this.keys.channel,
      this.settings.pollIntervalMs,
    );
    // Workers in other processes are woken; this object's own watchers ignore it (see WorkWatch).
    this.enqueues = new EnqueueBatcher(
      () => this.client(),
      (multi) => multi.publish(this.keys.channel, this.workWatch.id),
    );
    this.settles = new SettleBatcher((client, calls) => this.scripts.settle(client, calls));
    this.history = new BullMqHistory({
      keys: this.keys,
      jobPrefix: bullKeys.jobPrefix,
      client: () => this.client(),
      restart: (deliveries, now) => this.restart(deliveries, now, false, 'recover'),
      removeJob: (jobId) => this.queue.remove(jobId),
    });
  }

  async enqueue(message: MessageRecord, deliveries: readonly NewDelivery[]): Promise<void> {
    const now = Date.now();
    const jobIds = deliveries.map((d) => deliveryJobId(message.id, d.endpointId));
    const { id, event, body, createdAt, owner } = message;
    // A message with one delivery gives its job a copy of itself, so that the first lease reads nothing
    // more (the body is then kept twice until the delivery ends). With several, the body is kept once, in
    // the message hash, and each lease reads it from there: k copies of a large body cost more than a read.
    const copy = pendingCount(deliveries) === 1;
    const jobs = deliveries.flatMap((d, i): [string, DeliveryJobData, number][] => {
      // A delivery recorded disabled gets no job: nothing leases it until recover() or redeliver() adds one.
      if (d.status === 'disabled') return [];
      const data: DeliveryJobData = copy
        ? {
            messageId: id,
            endpointId: d.endpointId,
            event,
            body,
            createdAt,
            ...(owner === undefined ? {} : { owner }),
            url: d.url,
            dueAt: d.nextAttemptAt,
          }
        : { messageId: id, endpointId: d.endpointId };
      return [[jobIds[i] as string, data, d.nextAttemptAt]];
    });
    // In this turn's MULTI (see EnqueueBatcher): the message and its jobs are stored together or not at
    // all, and the store script, after the jobs, refuses a message id already stored (its jobs then change
    // nothing: see STORE).
    const stored = await this.enqueues.add((multi) => {
      for (const [jobId, data, dueAt] of jobs) addDeliveryJob(this.modules, this.queue, multi, jobId, data, dueAt, now);
      this.scripts.store(multi, message, deliveries, jobIds, now);
    });
    if (Number(stored) !== 1) {
      throw new DeliveryQueueError(
        'duplicate-message',
        `message ${message.id} is already queued; message ids are unique.`,
      );
    }
  }

  async lease(request: LeaseRequest): Promise<Lease[]> {
    const worker = this.ensureWorker(request.leaseMs);
    const client = await this.client();
    const leases: Lease[] = [];
    const room = new Map<string, number>();
    const roomOf = (endpointId: string): number =>
      room.get(endpointId) ?? request.endpointCapacity?.(endpointId) ?? Number.POSITIVE_INFINITY;
    const notDue: { job: DeliveryJob; token: string; dueAt: number }[] = [];
    const noRoom: HeldJob[] = [];
    const maxScan = request.limit + SCAN_SLACK;
    const startedAt = Date.now();
    let scanned = 0;
    let crowded = false;
    while (leases.length < request.limit) {
      const want = Math.min(request.limit - leases.length, maxScan - scanned);
      if (want <= 0) {
        crowded = true;
        break;
      }
      // Jobs a settlement already took are older than any still waiting: they go first.
      const taken = this.prefetched.splice(0, want);
      const need = want - taken.length;
      // Concurrent calls share one connection: Redis runs them in order, so jobs come oldest first.
      const got = (
        await Promise.all(
          Array.from({ length: need }, async () => {
            const token = randomUUID();
            const job = (await worker.getNextJob(token, { block: false })) as DeliveryJob | undefined;
            return job ? { job, token, at: startedAt } : undefined;
          }),
        )
      ).filter((one) => one !== undefined);
      const fetched = [...taken, ...got];
      scanned += fetched.length;
      // Independent reads, each atomic: sent together (one round trip) without a MULTI, which costs more.
      // A job started for the first time needs none: nothing but its lease could have changed its
      // delivery, so the job's data is its state, and BullMQ's lock already has the lease's length.
      const firsts = fetched.map(({ job, at }) => this.firstLease(job, request.leaseMs, at));
      const reads = await Promise.all(
        fetched.map(({ job, token }, i) => firsts[i] ?? this.scripts.readLease(client, job, token, request.leaseMs)),
      ).catch((error: unknown) => {
        throw new DeliveryQueueError('queue-failed', `BullMqQueue lease failed in Redis: ${safeMessage(error)}.`, {
          cause: error,
        });
      });
      for (const [i, { job, token, at }] of fetched.entries()) {
        const read = reads[i] as LeaseRead;
        if (read.kind === 'lost') continue; // the lock is no longer ours: nothing to hand out or put back
        if (read.kind === 'ended') {
          // Its settlement was recorded but the move after it was not, or its message was dropped.
          await job.moveToCompleted('ended', token, false);
          continue;
        }
        const { message, delivery } = read;
        const { endpointId } = delivery;
        const due = delivery.nextAttemptAt ?? 0;
        if (due > request.now) {
          notDue.push({ job, token, dueAt: due });
          continue;
        }
        if (roomOf(endpointId) <= 0) {
          noRoom.push({ job, token, at });
          continue;
        }
        room.set(endpointId, roomOf(endpointId) - 1);
        this.held.set(token, job);
        leases.push({
          token,
          message,
          delivery,
          // A prefetched job's lock was set when its settlement was sent, before this call.
          leasedUntil: request.now + request.leaseMs - (firsts[i] ? Math.max(0, startedAt - at) : 0),
        });
      }
      if (got.length < need) break;
    }
    await this.putBack(notDue, noRoom, crowded);
    return leases;
  }

  async settle(lease: Lease, attempt: AttemptRecord | undefined, settlement: Settlement): Promise<boolean> {
    const { messageId, endpointId } = lease.delivery;
    const jobId = deliveryJobId(messageId, endpointId);
    const job = this.held.get(lease.token);
    this.held.delete(lease.token);
    // The lock passes to a fresh token as the settlement is recorded; BullMQ's move then fetches the next
    // job under it, so every lease has a token of its own and a stale one can never match a later lock.
    const nextToken = job ? randomUUID() : lease.token;
    const call = (checkLock: boolean): SettlementCall => ({
      jobId,
      messageId,
      endpointId,
      token: lease.token,
      attempt,
      settlement,
      nextToken,
      checkLock,
    });
    const record = async (client: ScriptClient, checkLock: boolean): Promise<number> =>
      (await this.scripts.settle(client, [call(checkLock)]))[0] ?? 0;
    const move = (held: DeliveryJob, token: string, fetchNext: boolean): Promise<NextJobData> => {
      if (settlement.status !== 'pending') {
        return held.moveToCompleted(settlement.status, token, fetchNext) as Promise<NextJobData>;
      }
      return moveToDelayedFetchingNext(held, settlement.nextAttemptAt, token, fetchNext);
    };
    if (!job) {
      // A lease taken by another BullMqQueue object (another client on the same queue) is settled by id.
      if ((await record(await this.client(), true)) === 0) return false;
      const byId = await this.modules.bullmq.Job.fromId<DeliveryJobData>(this.queue, jobId);
      if (byId) await move(byId, lease.token, false);
      return true;
    }
    // Our script (one for all the settlements of this turn: settle-batch.ts) and BullMQ's move after it
    // go out together on the worker's connection, which runs them in order: one round trip. Both check
    // the same lock against the token, so they agree: both refuse a stale lease, and our script keeps the
    // lock a grace period (see ScriptCalls) so the move cannot lose it. Should the move fail anyway (Redis
    // gone), the job stays active, comes back after its lease, and lease() finds it ended and completes
    // it. A settlement made with an attempt also takes the next job (a worker that attempted is still
    // running); one without (a release while stopping, a skip) does not.
    const fetchNext = attempt !== undefined && !this.closing;
    const sentAt = Date.now();
    const client = await this.workerClient();
    const batched = this.settles.add(client, call(true), () => move(job, nextToken, fetchNext));
    const [recorded, moved] = await Promise.allSettled([batched.recorded, batched.followed]);
    if (recorded.status === 'rejected') throw recorded.reason;
    if (recorded.value === 0) {
      if (moved.status === 'rejected') return false; // not ours any more: both refused
      // The move succeeded, so the lease was ours, yet the script found no lock: it ran after the move,
      // which only happens when ioredis re-sent it (Redis had lost its script cache). Record it now.
      this.keepPrefetched(moved.value, nextToken, sentAt);
      return (await record(client, false)) !== 0;
    }
    if (moved.status === 'rejected') {
      // Recorded, so the lock is now nextToken's; the move may have run first (ioredis re-sent our
      // script after it, as Redis had lost its script cache): once more, in order this time.
      this.keepPrefetched(await move(job, nextToken, fetchNext), nextToken, Date.now());
      return true;
    }
    this.keepPrefetched(moved.value, nextToken, sentAt);
    return true;
  }

  /**
   * Makes ended deliveries pending again, due at `now`, and gives each a BullMQ job, in one MULTI. The
   * script resets only deliveries still ended when it runs; a job added for one that is not (another
   * redeliver won) finds it pending with a job of the same id (BullMQ ignores the duplicate) or ended
   * (lease drops it). Returns how many were reset.
   */
  private async restart(
    deliveries: readonly { readonly messageId: string; readonly endpointId: string }[],
    now: number,
    includeDelivered: boolean,
    what: 'redeliver' | 'recover',
  ): Promise<number> {
    const client = await this.client();
    const multi = client.multi() as ScriptMulti;
    this.scripts.restart(multi, deliveries, now, includeDelivered);
    const at = Date.now();
    for (const { messageId, endpointId } of deliveries) {
      const jobId = deliveryJobId(messageId, endpointId);
      addDeliveryJob(this.modules, this.queue, multi, jobId, { messageId, endpointId }, now, at);
    }
    multi.publish(this.keys.channel, this.workWatch.id);
    const results = await execOrThrow(multi, what);
    return Number(results[0]);
  }

  /** The job a settlement's move fetched, kept for the next lease(); handed back at once when closing. */
  private keepPrefetched(next: NextJobData, token: string, at: number): void {
    const job = this.worker && fetchedJob(this.modules, this.worker, next, token);
    if (!job) return;
    if (this.closing) void job.moveToWait(token).catch(noop);
    else this.prefetched.push({ job, token, at });
  }

  async nextDueAt(endpointCapacity?: (endpointId: string) => number): Promise<number | undefined> {
    const client = await this.client();
    return nextDueFrom(
      await this.scripts.peek(client, PEEK_COUNT),
      (endpointId) => (endpointCapacity?.(endpointId) ?? 1) > 0,
      Date.now(),
      this.settings.pollIntervalMs,
    );
  }

  async countPending(): Promise<number> {
    const client = await this.client();
    return Math.max(0, Number((await client.get(this.keys.pending)) ?? 0));
  }

  async getMessage(messageId: string): Promise<MessageView | undefined> {
    const client = await this.client();
    const hash = await client.hgetall(this.keys.message(messageId));
    const endpoints = endpointsOfHash(hash);
    if (endpoints === undefined) return undefined;
    const reads = client.multi();
    for (const endpointId of endpoints) reads.lrange(this.keys.attempts(deliveryJobId(messageId, endpointId)), 0, -1);
    const logs = (await execOrThrow(reads, 'getMessage')) as string[][];
    return decodeMessageHash(messageId, hash, endpoints, logs);
  }

  async redeliver(
    messageId: string,
    options: { now: number; endpointId?: string; includeDelivered?: boolean },
  ): Promise<number> {
    const view = await this.getMessage(messageId);
    // An erased message has nothing left to send: none of its deliveries starts again.
    if (!view || view.message.erasedAt !== undefined) return 0;
    const includeDelivered = options.includeDelivered === true;
    const candidates = view.deliveries.filter(
      (d) =>
        (d.status === 'exhausted' || d.status === 'disabled' || (includeDelivered && d.status === 'delivered')) &&
        (options.endpointId === undefined || d.endpointId === options.endpointId),
    );
    if (candidates.length === 0) return 0;
    return this.restart(candidates, options.now, includeDelivered, 'redeliver');
  }

  queryMessages(query: MessageQuery): Promise<Page<MessageView>> {
    return this.history.queryMessages(query);
  }

  endpointStats(endpointId: string, window: { since: number; until: number }): Promise<EndpointStats> {
    return this.history.endpointStats(endpointId, window);
  }

  recover(endpointId: string, options: { now: number; since: number; until?: number }): Promise<number> {
    return this.history.recover(endpointId, options);
  }

  erasePayload(messageId: string, options: { now: number }): Promise<boolean> {
    return this.history.erasePayload(messageId, options);
  }

  prune(options: PruneOptions): Promise<number> {
    return this.history.prune(options);
  }

  watch(onWork: () => void): () => void {
    return this.workWatch.add(onWork);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Sends already made are stored (or refused) before the connection goes.
      await this.enqueues.settled();
      this.workWatch.close();
      // Prefetched jobs go back to the head of the wait list, last first so that the first stays first.
      const prefetched = this.prefetched.reverse();
      this.prefetched = [];
      for (const { job, token } of prefetched) await job.moveToWait(token).catch(noop);
      await this.worker?.close();
      await this.queue.close();
    })();
    return this.closing;
  }

  /**
   * The BullMQ worker, made at the first lease (a producer never leases, so never opens one). It runs no
   * processor: lease() takes jobs by hand. Its stalled check puts back jobs whose lock expired, and a
   * stalled job is never failed.
   */
  private ensureWorker(leaseMs?: number): Worker<DeliveryJobData> {
    if (this.closing) {
      throw new DeliveryQueueError('queue-closed', 'lease() on a closed BullMqQueue; create a new queue.');
    }
    if (!this.worker) {
      // BullMQ's lock is the first lease's length, so a first lease need not set it (see firstLease()).
      this.lockMs = leaseMs ?? INITIAL_LOCK_MS;
      const worker = new this.modules.bullmq.Worker<DeliveryJobData>(this.settings.name, null, {
        connection: this.connection,
        prefix: this.settings.prefix,
        autorun: false,
        lockDuration: this.lockMs,
        stalledInterval: this.settings.stalledIntervalMs,
        maxStalledCount: NEVER_FAIL_STALLED,
        skipLockRenewal: true,
      });
      worker.on('error', noop);
      // A dead worker's deliveries are waiting again: look at once.
      worker.on('stalled', () => this.workWatch.notify());
      startStalledCheck(worker);
      this.worker = worker;
    }
    return this.worker;
  }

  /**
   * The lease's state from the job alone, for a job BullMQ started for the first time (no lease before it
   * could have settled it, and STORE strips a refused message's data) whose lock BullMQ set to the lease's
   * length within the last second; else undefined, and lease() reads the state from Redis.
   */
  private firstLease(job: DeliveryJob, leaseMs: number, at: number): LeaseRead | undefined {
    const { messageId, endpointId, event, body, createdAt, owner, url, dueAt } = job.data;
    if (job.attemptsStarted !== 1 || leaseMs !== this.lockMs || Date.now() - at > 1_000) return undefined;
    if (event === undefined || body === undefined || createdAt === undefined || url === undefined) return undefined;
    return {
      kind: 'pending',
      message: { id: messageId, event, body, createdAt, ...(owner === undefined ? {} : { owner }) },
      delivery: {
        messageId,
        endpointId,
        url,
        status: 'pending',
        attempts: [],
        scheduleBase: 0,
        nextAttemptAt: dueAt ?? 0,
      },
    };
  }

  /** The queue's connection, with hookspec's scripts. */
  private client(): Promise<ScriptClient> {
    this.clientReady ??= withScripts(redisOf(this.queue)).catch((error: unknown) => {
      this.clientReady = undefined;
      throw error;
    });
    return this.clientReady;
  }

  /** The worker's connection (the one its jobs' moves use), with hookspec's scripts. */
  private workerClient(): Promise<ScriptClient> {
    this.workerClientReady ??= withScripts(redisOf(this.ensureWorker())).catch((error: unknown) => {
      this.workerClientReady = undefined;
      throw error;
    });
    return this.workerClientReady;
  }

  /**
   * Returns jobs lease() took but may not hand out. Those not yet due wait for their time. Those whose
   * endpoint is full go back to the head of the queue in order — unless the scan ran out, which means a
   * crowd of one full endpoint's work: then they go to the back, so other endpoints' work gets through.
   */
  private async putBack(
    notDue: readonly { job: DeliveryJob; token: string; dueAt: number }[],
    noRoom: readonly HeldJob[],
    crowded: boolean,
  ): Promise<void> {
    const moves: Promise<unknown>[] = notDue.map(({ job, token, dueAt }) => job.moveToDelayed(dueAt, token));
    if (crowded) {
      const now = Date.now();
      moves.push(...noRoom.map(({ job, token }) => job.moveToDelayed(now, token)));
    } else {
      // Each goes to the head; the last one first, so the first ends up first.
      for (const { job, token } of [...noRoom].reverse()) moves.push(job.moveToWait(token));
    }
    await Promise.all(moves);
  }
}
