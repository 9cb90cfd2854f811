import type { NewDelivery } from '../../delivery/delivery-queue';
import type { AttemptRecord, MessageRecord, Settlement } from '../../delivery/delivery-records';
import type { BullMqKeys } from './bullmq-internals';
import type { BullMqSettings } from './check-bullmq-options';
import type { DeliveryJob } from './delivery-job';
import { decodeLease, encodeAttempt, encodeMessageHash, pendingCount, sortKey, type LeaseRead } from './message-hash';
import type { PeekReply } from './next-due';
import type { LuaReply } from './redis-scripts';
import type { HookspecKeys } from './redis-keys';
import type { ScriptClient, ScriptMulti } from './script-client';

/** A lock kept at least this long after a settlement is recorded, for BullMQ's move that follows it. */
const SETTLE_GRACE_MS = 10_000;
/** Finished messages dropped at most per settlement, of each kind (beyond the count, past the age). */
const TRIM_BATCH = 100;

/** What settle() records: the lease, its attempt (none for a release or a skip), and the outcome. */
export interface SettlementCall {
  readonly jobId: string;
  readonly messageId: string;
  readonly endpointId: string;
  readonly token: string;
  readonly attempt: AttemptRecord | undefined;
  readonly settlement: Settlement;
  /** The token the lock passes to (the lease's own to keep it). */
  readonly nextToken: string;
  /** False only when BullMQ's move under the lease's token already proved the lease was ours. */
  readonly checkLock: boolean;
}

/**
 * hookspec's scripts (redis-scripts.ts) called with their keys and arguments in the order each script
 * reads them: the only code that knows those orders.
 */
export class ScriptCalls {
  constructor(
    private readonly keys: HookspecKeys,
    private readonly bull: BullMqKeys,
    private readonly settings: BullMqSettings,
  ) {}

  /** Queues STORE in `multi`, after the message's jobs; its reply is 1 (stored) or 0 (the id was taken). */
  store(
    multi: ScriptMulti,
    message: MessageRecord,
    deliveries: readonly NewDelivery[],
    jobIds: readonly string[],
    now: number,
  ): void {
    // Bare data (ids only) for the jobs (only pending deliveries have one), should the id be taken: see STORE.
    const bare = deliveries.flatMap((d, i) =>
      d.status === 'disabled'
        ? []
        : [[jobIds[i] as string, JSON.stringify({ messageId: message.id, endpointId: d.endpointId })]],
    );
    multi.hookspecStore(
      this.keys.message(message.id),
      this.keys.pending,
      this.keys.finished,
      pendingCount(deliveries),
      now,
      encodeURIComponent(message.id),
      this.bull.jobPrefix,
      this.keys.base,
      bare.length,
      deliveries.length,
      sortKey(message),
      message.event,
      message.owner ?? '',
      message.owner === undefined ? '0' : '1',
      ...bare.flat(),
      ...deliveries.flatMap((d) => [d.endpointId, d.status ?? 'pending']),
      ...encodeMessageHash(message, deliveries),
    );
  }

  /** READ_LEASE: sets the lock to the lease's length and reads what the lease needs. */
  async readLease(client: ScriptClient, job: DeliveryJob, token: string, leaseMs: number): Promise<LeaseRead> {
    const jobId = job.id as string;
    const { messageId, endpointId } = job.data;
    const reply = await client.hookspecReadLease(
      this.bull.lock(jobId),
      this.bull.stalled,
      this.keys.message(messageId),
      this.keys.attempts(jobId),
      token,
      leaseMs,
      jobId,
      endpointId,
    );
    return decodeLease(reply, messageId, endpointId);
  }

  /**
   * SETTLE, for one or more settlements (those of one turn: settle-batch.ts): per settlement, 0 when the
   * lease was not ours, 1 when recorded, 2 when it also finished the message.
   */
  async settle(client: ScriptClient, calls: readonly SettlementCall[]): Promise<number[]> {
    const now = Date.now();
    const { retainFinished, retainFinishedMs } = this.settings;
    const args: (string | number)[] = [now, SETTLE_GRACE_MS, retainFinished, now - retainFinishedMs, TRIM_BATCH];
    args.push(this.keys.base, this.bull.jobPrefix);
    for (const call of calls) {
      const { settlement, attempt } = call;
      const succeeded = attempt?.status !== undefined && attempt.status >= 200 && attempt.status < 300;
      args.push(
        encodeURIComponent(call.messageId),
        call.jobId,
        call.endpointId,
        call.token,
        call.nextToken,
        call.checkLock ? '1' : '0',
        encodeAttempt(attempt),
        succeeded ? 'ok' : 'ko',
        attempt?.startedAt ?? 0,
        settlement.status,
        settlement.status === 'pending' ? settlement.nextAttemptAt : 0,
      );
    }
    const reply = await client.hookspecSettle(this.keys.pending, this.keys.finished, ...args);
    return (reply as LuaReply[]).map(Number);
  }

  /**
   * Queues RESTART in `multi`: the deliveries (message id, endpoint id) that are exhausted or disabled,
   * or delivered with `includeDelivered`, become pending, due at `now`; its reply is how many.
   */
  restart(
    multi: ScriptMulti,
    deliveries: readonly { readonly messageId: string; readonly endpointId: string }[],
    now: number,
    includeDelivered: boolean,
  ): void {
    multi.hookspecRestart(
      this.keys.pending,
      this.keys.base,
      now,
      includeDelivered ? '1' : '0',
      ...deliveries.flatMap((d) => [d.messageId, d.endpointId]),
    );
  }

  /** PEEK: up to `count` waiting, delayed and active jobs, for nextDueAt. */
  async peek(client: ScriptClient, count: number): Promise<PeekReply> {
    const { wait, delayed, active, jobPrefix } = this.bull;
    return (await client.hookspecPeek(this.keys.pending, wait, delayed, active, count, jobPrefix)) as PeekReply;
  }
}
