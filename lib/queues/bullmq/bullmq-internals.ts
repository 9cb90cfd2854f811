/*
 * Every reach into BullMQ beyond its documented API, in one file, so that a BullMQ upgrade breaks here
 * and nowhere else: the job's protected `backend`, `Job.fromJSON` on a fetched job, adding a job inside
 * our own MULTI, the Redis key layout of a job and its lock, the delayed set's score encoding, the
 * backend's raw client, and the stalled check of a worker that runs no processor. Written against
 * BullMQ 6 (the peer range): BullMQ 5 has no `getBackend()`.
 */
import type { Queue, Worker } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import { DeliveryQueueError } from '../../errors';
import type { DeliveryJob, DeliveryJobData } from './delivery-job';
import type { BullMqModules } from './load-bullmq';

/** What BullMQ's moves return when asked to fetch the next job: its raw data and id, or nothing. */
export type NextJobData = [unknown, string | undefined, ...unknown[]] | [] | undefined;

/** BullMQ's move to delayed, on the job's backend: `Job.moveToDelayed` cannot fetch the next job. */
interface DelayingBackend {
  moveToDelayed(
    jobId: string,
    timestamp: number,
    delay: number,
    token: string,
    opts: { skipAttempt: boolean; fetchNext: boolean },
  ): Promise<NextJobData>;
}

/**
 * Moves an active job to delayed until `dueAt` without counting an attempt (hookspec counts its own),
 * and with `fetchNext` moves the next waiting job to active under the same token, in the same call.
 */
export function moveToDelayedFetchingNext(
  job: DeliveryJob,
  dueAt: number,
  token: string,
  fetchNext: boolean,
): Promise<NextJobData> {
  const backend = (job as unknown as { backend: DelayingBackend }).backend;
  const now = Date.now();
  return backend.moveToDelayed(job.id as string, now, Math.max(0, dueAt - now), token, {
    skipAttempt: true,
    fetchNext,
  });
}

/** The job a move fetched (its raw hash and id), as a Job locked under `token`; undefined when there was none. */
export function fetchedJob(
  modules: BullMqModules,
  worker: Worker<DeliveryJobData>,
  next: NextJobData,
  token: string,
): DeliveryJob | undefined {
  const [raw, id] = next ?? [];
  if (!raw || id === undefined) return undefined;
  const job = modules.bullmq.Job.fromJSON<DeliveryJobData>(worker as never, raw as never, id);
  job.token = token;
  return job;
}

/**
 * Queues a delivery job's add in `multi` (our MULTI, so the message and its jobs are stored together), due
 * at `dueAt`, synchronously: BullMQ queues the command before its first await, and its reply comes with
 * the MULTI's. Retries follow hookspec's policy, so BullMQ makes one attempt per job and forgets the job
 * when it ends: the delivery's record (status, attempts) is kept in hookspec's keys.
 */
export function addDeliveryJob(
  modules: BullMqModules,
  queue: Queue<DeliveryJobData>,
  multi: ChainableCommander,
  jobId: string,
  data: DeliveryJobData,
  dueAt: number,
  now: number,
): void {
  const job = new modules.bullmq.Job<DeliveryJobData>(
    queue,
    'delivery',
    data,
    {
      jobId,
      timestamp: now,
      delay: Math.max(0, Math.ceil(dueAt - now)),
      attempts: 1,
      removeOnComplete: true,
      removeOnFail: true,
    },
    jobId,
  );
  const queued = multi.length;
  // Whatever its promise says is in the MULTI's reply; a failure before queueing shows in the length.
  job.addJob(multi as never).catch(() => {});
  if (multi.length === queued) {
    throw new DeliveryQueueError('queue-failed', `BullMqQueue: BullMQ did not add job ${jobId} to the transaction.`);
  }
}

/** The keys of BullMQ's own that the scripts read: its lists and sets, and where jobs' hashes and locks live. */
export class BullMqKeys {
  constructor(private readonly queue: Queue<DeliveryJobData>) {}

  /** The prefix of every job's hash key (`<prefix>:<name>:`); the job id follows. */
  get jobPrefix(): string {
    return this.queue.toKey('');
  }

  /** A job's lock, whose value is the token of the worker holding it. */
  lock(jobId: string): string {
    return `${this.queue.toKey(jobId)}:lock`;
  }

  get wait(): string {
    return this.queue.keys.wait as string;
  }

  get delayed(): string {
    return this.queue.keys.delayed as string;
  }

  get active(): string {
    return this.queue.keys.active as string;
  }

  /** Candidates for the stalled check: a job leased by hand is taken out (see the lease script). */
  get stalled(): string {
    return this.queue.keys.stalled as string;
  }
}

/** The due time (ms) of a job in the delayed set, from its score: BullMQ stores due time × 4096 plus a sequence. */
export function dueFromDelayedScore(score: string | number): number {
  return Math.floor(Number(score) / 0x1000);
}

/** The raw ioredis connection of a queue or worker, through its Redis backend (BullMQ 6). */
export function redisOf(owner: Queue<DeliveryJobData> | Worker<DeliveryJobData>): Promise<unknown> {
  return owner.getBackend().client;
}

/**
 * Starts the stalled check of a worker that runs no processor (lease() takes jobs by hand, so `run()` is
 * never called, and it is `run()` that would start it): jobs whose lock expired go back to wait.
 */
export function startStalledCheck(worker: Worker<DeliveryJobData>): void {
  void worker.startStalledCheckTimer();
}
