import type { EndpointStats, MessageQuery, Page, PruneOptions } from '../../delivery/message-history';
import type { MessageView } from '../../delivery/delivery-records';
import { DeliveryQueueError } from '../../errors';
import { describe } from '../../options';
import { checkWindow, cursorAt, planQuery, pruneRules } from './history-query';
import { decodeMessageHash, endpointsOfHash, idOfSortKey, sortTime } from './message-hash';
import type { HookspecKeys } from './redis-keys';
import type { LuaReply } from './redis-scripts';
import type { ScriptClient } from './script-client';

/** Index entries one query or prune call looks at, at most: a rare match among many messages gives a short page. */
const SCAN_BUDGET = 1_000;
/** Query calls per page, at most (each one atomic and bounded); then a short page with a cursor. */
const MAX_QUERY_CALLS = 4;
/** Deliveries recover() restarts per round trip, and messages prune() deletes per call (of each rule). */
const RECOVER_BATCH = 500;
const PRUNE_BATCH = 200;

/** What the history needs of its queue. */
export interface HistoryHost {
  readonly keys: HookspecKeys;
  /** The prefix of BullMQ's job hashes (the job id follows). */
  readonly jobPrefix: string;
  client(): Promise<ScriptClient>;
  /** Makes exhausted and disabled deliveries pending again, due at `now`, with their BullMQ jobs. */
  restart(
    deliveries: readonly { readonly messageId: string; readonly endpointId: string }[],
    now: number,
  ): Promise<number>;
  /** Takes a waiting or delayed job out of BullMQ (not an active one: its lease finds it ended). */
  removeJob(jobId: string): Promise<unknown>;
}

/**
 * The MessageHistory of a BullMqQueue, on the indexes the scripts keep (history-lua.ts). It knows the
 * argument orders of the history scripts (history-scripts.ts).
 */
export class BullMqHistory {
  constructor(private readonly host: HistoryHost) {}

  async queryMessages(query: MessageQuery): Promise<Page<MessageView>> {
    const plan = planQuery(query, 'BullMqQueue.queryMessages(query)');
    const { keys } = this.host;
    const client = await this.host.client();
    const items: MessageView[] = [];
    let hi = plan.hi;
    for (let call = 1; ; call += 1) {
      const [resume, ...found] = (await client.hookspecQuery(
        keys.allIndex,
        keys.base,
        plan.kind,
        plan.ownerMode,
        plan.owner,
        plan.event,
        plan.endpoint,
        plan.state,
        plan.checks,
        hi,
        plan.lo,
        plan.limit - items.length,
        SCAN_BUDGET,
      )) as [string, ...LuaReply[]];
      for (const item of found) items.push(decodeItem(item));
      if (resume === '') return { items };
      if (items.length >= plan.limit || call === MAX_QUERY_CALLS) {
        return { items, nextCursor: cursorAt(plan, resume) };
      }
      hi = `(${resume}`;
    }
  }

  async endpointStats(endpointId: string, window: { since: number; until: number }): Promise<EndpointStats> {
    const where = 'BullMqQueue.endpointStats(endpointId, window)';
    checkEndpointId(endpointId, where);
    const { since, until } = checkWindow(window, where);
    if (until === undefined) throw new DeliveryQueueError('invalid-query', `${where}: until is required.`);
    const { keys } = this.host;
    const client = await this.host.client();
    const [pending, failing, delivered, exhausted, disabled, ok, ko] = (await client.hookspecStats(
      keys.allIndex,
      keys.base,
      endpointId,
      sortTime(since),
      sortTime(until),
    )) as [number, number, number, number, number, string | null, string | null];
    return {
      endpointId,
      since,
      until,
      pending,
      failing,
      delivered,
      exhausted,
      disabled,
      ...(ok === null ? {} : { lastSuccessAt: Number(ok) }),
      ...(ko === null ? {} : { lastFailureAt: Number(ko) }),
    };
  }

  async recover(endpointId: string, options: { now: number; since: number; until?: number }): Promise<number> {
    const where = 'BullMqQueue.recover(endpointId, options)';
    checkEndpointId(endpointId, where);
    const { since, until } = checkWindow(options, where);
    const now = checkNow(options.now, where);
    const { keys } = this.host;
    const client = await this.host.client();
    const hi = until === undefined ? '+' : `(${sortTime(until)}:`;
    let restarted = 0;
    for (const state of ['exhausted', 'disabled']) {
      // Restarted deliveries leave the set, but those left alone (an erased message's) stay: each batch
      // starts past the last one, so that they are read once.
      let lo = `[${sortTime(since)}:`;
      for (;;) {
        const found = (await client.hookspecRecoverScan(
          keys.allIndex,
          keys.base,
          endpointId,
          state,
          lo,
          hi,
          RECOVER_BATCH,
        )) as string[];
        if (found.length > 0) {
          restarted += await this.host.restart(
            found.map((key) => ({ messageId: idOfSortKey(key), endpointId })),
            now,
          );
        }
        if (found.length < RECOVER_BATCH) break;
        lo = `(${found.at(-1) as string}`;
      }
    }
    return restarted;
  }

  async erasePayload(messageId: string, options: { now: number }): Promise<boolean> {
    const where = 'BullMqQueue.erasePayload(messageId, options)';
    const now = checkNow(options?.now, where);
    const { keys } = this.host;
    const client = await this.host.client();
    const cancelled = (await client.hookspecErase(
      keys.message(messageId),
      keys.pending,
      keys.base,
      now,
      this.host.jobPrefix,
      messageId,
    )) as string[] | null;
    if (cancelled === null) return false;
    // Out of the due set now; a job that cannot be removed (leased) is found cancelled and completed.
    await Promise.all(cancelled.map((jobId) => this.host.removeJob(jobId).catch(() => 0)));
    return true;
  }

  async prune(options: PruneOptions): Promise<number> {
    const { olderThan, keep } = pruneRules(options, 'BullMqQueue.prune(options)');
    if (olderThan === '' && keep === '') return 0;
    const { keys } = this.host;
    const client = await this.host.client();
    let pruned = 0;
    // Each rule walks the messages oldest first, past those it keeps or that are not finished, a bounded
    // stretch per call; applied one after the other, they delete what either selects.
    for (const [rule, bound] of [
      ['older', olderThan],
      ['keep', keep],
    ] as const) {
      if (bound === '') continue;
      for (let from = '-'; from !== '';) {
        const [count, next] = (await client.hookspecPrune(
          keys.allIndex,
          keys.base,
          rule,
          from,
          bound,
          SCAN_BUDGET,
          PRUNE_BATCH,
        )) as [number, string];
        pruned += count;
        from = next;
      }
    }
    return pruned;
  }
}

/** One message of the query script's reply: {id, HGETALL, {attempt log per delivery}}. */
function decodeItem(item: LuaReply): MessageView {
  const [id, flat, logs] = item as [string, string[], string[][]];
  const hash: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
  return decodeMessageHash(id, hash, endpointsOfHash(hash) ?? [], logs);
}

function checkEndpointId(endpointId: unknown, where: string): void {
  if (typeof endpointId !== 'string') {
    throw new DeliveryQueueError(
      'invalid-query',
      `${where}: endpointId must be a string, got ${describe(endpointId)}.`,
    );
  }
}

function checkNow(now: unknown, where: string): number {
  if (typeof now === 'number' && Number.isFinite(now)) return now;
  throw new DeliveryQueueError('invalid-query', `${where}: now must be epoch milliseconds, got ${describe(now)}.`);
}
