import { DeliveryQueueError } from '../../errors';
import { checkOptionsObject, countOf, type OptionScope } from '../../options';
import type { DeliveryQueue, LeaseRequest, NewDelivery } from '../../delivery/delivery-queue';
import type {
  AttemptRecord,
  DeliveryRecord,
  Lease,
  MessageRecord,
  MessageView,
  Settlement,
} from '../../delivery/delivery-records';
import {
  checkMessageQuery,
  checkPruneOptions,
  checkTimes,
  encodeCursor,
  type CheckedMessageQuery,
} from '../../delivery/history-query';
import {
  deliveryState,
  type EndpointStats,
  type MessageHistory,
  type MessageQuery,
  type Page,
  type PruneOptions,
} from '../../delivery/message-history';
import { HistoryIndex } from './history-index';
import { MinHeap } from './min-heap';

interface Entry {
  delivery: DeliveryRecord;
  /** Its message: lease and settle reach it without a lookup by id. */
  readonly stored: StoredMessage;
  /** Order of acceptance, to keep first-in first-out among equal due times. */
  readonly sequence: number;
  /**
   * The lease's token while leased (undefined otherwise) and its end: fields of the entry, not an object
   * per attempt, since every message of the retention window keeps its entry.
   */
  leaseToken: string | undefined;
  leaseUntil: number;
}

interface StoredMessage {
  /** Replaced when the payload is erased. */
  message: MessageRecord;
  readonly entries: Entry[];
  /** Set once the message is deleted (retention or prune), for the history indexes to skip it. */
  dropped?: boolean;
}

export interface MemoryQueueOptions {
  /**
   * How many finished messages (no delivery pending) stay readable through `getMessage()`, `redeliver()`
   * and the history; the oldest finished are dropped first (`prune()` deletes on demand). Default: 10000.
   */
  retainFinished?: number;
}

const KNOWN: readonly (keyof MemoryQueueOptions)[] = ['retainFinished'];
const scope: OptionScope = {
  where: 'new MemoryQueue(options)',
  fail: (code, message) => new DeliveryQueueError(code, message),
};

const dueAt = (entry: Entry): number => entry.delivery.nextAttemptAt ?? 0;
const before = (a: Entry, b: Entry): boolean =>
  dueAt(a) < dueAt(b) || (dueAt(a) === dueAt(b) && a.sequence < b.sequence);

/**
 * The default queue: everything in this process's memory, one heap of due work per endpoint. Fast and
 * simple, and lost if the process dies — for tests, development and fire-and-forget. Use the SQLite or
 * BullMQ queue when an accepted message must survive a crash.
 */
export class MemoryQueue implements DeliveryQueue, MessageHistory {
  private readonly messages = new Map<string, StoredMessage>();
  /**
   * The history indexes, built on the first history call and kept up to date from then on, so that a
   * queue that only sends (most MemoryQueues) never pays for them.
   */
  private historyIndex?: HistoryIndex<StoredMessage>;
  /** Pending, unleased deliveries by endpoint; an endpoint with nothing waiting has no heap. */
  private readonly waiting = new Map<string, MinHeap<Entry>>();
  private readonly leased = new Map<string, Entry>();
  /** Leases of deliveries cancelled (erased) while leased: their settle records the attempt and nothing more. */
  private readonly cancelledLeases = new Map<string, Entry>();
  /** Finished messages, and the order they finished in (ids redelivered since are skipped), for retention. */
  private readonly finished = new Set<string>();
  private finishedOrder: string[] = [];
  private finishedHead = 0;
  private readonly retainFinished: number;
  private pending = 0;
  private sequence = 0;
  private leaseCounter = 0;
  /** No lease ends before this: lease() skips the scan for expired ones until then. */
  private earliestLeaseEnd = Infinity;

  constructor(options: MemoryQueueOptions = {}) {
    checkOptionsObject(options, KNOWN, scope, '{ retainFinished: 10000 }');
    this.retainFinished = countOf(options.retainFinished, 10_000, 'retainFinished', scope);
  }

  async enqueue(message: MessageRecord, deliveries: readonly NewDelivery[]): Promise<void> {
    if (this.messages.has(message.id)) {
      throw new DeliveryQueueError(
        'duplicate-message',
        `message ${message.id} is already queued; message ids are unique.`,
      );
    }
    const messageId = message.id;
    const entries: Entry[] = [];
    const stored: StoredMessage = { message, entries };
    let waiting = 0;
    for (const { endpointId, url, status, nextAttemptAt } of deliveries) {
      const delivery: DeliveryRecord =
        status === 'disabled'
          ? { messageId, endpointId, url, status: 'disabled', attempts: [], scheduleBase: 0 }
          : { messageId, endpointId, url, status: 'pending', attempts: [], scheduleBase: 0, nextAttemptAt };
      if (status !== 'disabled') waiting += 1;
      entries.push({ delivery, stored, sequence: this.sequence++, leaseToken: undefined, leaseUntil: 0 });
    }
    this.messages.set(messageId, stored);
    this.historyIndex?.add(stored);
    for (const entry of entries) if (entry.delivery.status === 'pending') this.wait(entry);
    this.pending += waiting;
    // Only a message without a pending delivery is finished as it is accepted.
    if (waiting === 0) this.finishIfDone(stored);
  }

  async lease(request: LeaseRequest): Promise<Lease[]> {
    this.reclaimExpired(request.now);
    const leases: Lease[] = [];
    // Room left per endpoint, once this call has leased from it (most calls lease one delivery: no map then).
    let room: Map<string, number> | undefined;
    while (leases.length < request.limit) {
      // The earliest due head among the endpoints with room (kept in locals: this loop runs per lease).
      let bestId: string | undefined;
      let bestHeap: MinHeap<Entry> | undefined;
      let bestHead: Entry | undefined;
      for (const [endpointId, heap] of this.waiting) {
        const head = heap.peek() as Entry;
        if (dueAt(head) > request.now) continue;
        if ((room?.get(endpointId) ?? request.endpointCapacity?.(endpointId) ?? Infinity) <= 0) continue;
        if (!bestHead || before(head, bestHead)) {
          bestId = endpointId;
          bestHeap = heap;
          bestHead = head;
        }
      }
      if (bestId === undefined || bestHeap === undefined) break;
      const entry = bestHeap.pop() as Entry;
      if (bestHeap.size === 0) this.waiting.delete(bestId);
      room ??= new Map();
      room.set(bestId, (room.get(bestId) ?? request.endpointCapacity?.(bestId) ?? Infinity) - 1);
      const token = `lease-${++this.leaseCounter}`;
      const until = request.now + request.leaseMs;
      entry.leaseToken = token;
      entry.leaseUntil = until;
      this.earliestLeaseEnd = Math.min(this.earliestLeaseEnd, until);
      this.leased.set(token, entry);
      leases.push({
        token,
        message: entry.stored.message,
        delivery: entry.delivery,
        leasedUntil: until,
      });
    }
    return leases;
  }

  async settle(lease: Lease, attempt: AttemptRecord | undefined, settlement: Settlement): Promise<boolean> {
    const entry = this.leased.get(lease.token);
    if (!entry || entry.leaseToken !== lease.token) return this.settleCancelled(lease.token, attempt);
    this.leased.delete(lease.token);
    entry.leaseToken = undefined;
    // A new record (a lease or getMessage() may still hold the old one), written out field by field:
    // rest and spread syntax cost more here than the rest of settling.
    const { messageId, endpointId, url, attempts, scheduleBase } = entry.delivery;
    const settledAttempts = attempt ? [...attempts, attempt] : attempts;
    entry.delivery =
      settlement.status === 'pending'
        ? {
            messageId,
            endpointId,
            url,
            status: 'pending',
            attempts: settledAttempts,
            scheduleBase,
            nextAttemptAt: settlement.nextAttemptAt,
          }
        : { messageId, endpointId, url, status: settlement.status, attempts: settledAttempts, scheduleBase };
    if (settlement.status === 'pending') {
      this.wait(entry);
    } else {
      this.pending -= 1;
      this.finishIfDone(entry.stored);
    }
    return true;
  }

  async nextDueAt(endpointCapacity?: (endpointId: string) => number): Promise<number | undefined> {
    let next: number | undefined;
    for (const [endpointId, heap] of this.waiting) {
      if ((endpointCapacity?.(endpointId) ?? Infinity) <= 0) continue;
      const at = dueAt(heap.peek() as Entry);
      if (next === undefined || at < next) next = at;
    }
    for (const entry of this.leased.values()) {
      if ((endpointCapacity?.(entry.delivery.endpointId) ?? Infinity) <= 0) continue;
      if (next === undefined || entry.leaseUntil < next) next = entry.leaseUntil;
    }
    return next;
  }

  async countPending(): Promise<number> {
    return this.pending;
  }

  async getMessage(messageId: string): Promise<MessageView | undefined> {
    const stored = this.messages.get(messageId);
    return stored && view(stored);
  }

  async redeliver(
    messageId: string,
    options: { now: number; endpointId?: string; includeDelivered?: boolean },
  ): Promise<number> {
    const stored = this.messages.get(messageId);
    let count = 0;
    for (const entry of stored?.entries ?? []) {
      const { status, endpointId } = entry.delivery;
      if (status !== 'exhausted' && status !== 'disabled' && !(status === 'delivered' && options.includeDelivered)) {
        continue;
      }
      if (options.endpointId !== undefined && endpointId !== options.endpointId) continue;
      this.restart(entry, options.now);
      count += 1;
    }
    if (count > 0) this.finished.delete(messageId);
    return count;
  }

  async queryMessages(query: MessageQuery): Promise<Page<MessageView>> {
    const checked = checkMessageQuery(query, 'MemoryQueue.queryMessages()');
    const list = this.history().listFor(checked);
    const items: MessageView[] = [];
    if (!list) return { items };
    const matches = matcher(checked);
    let more = false;
    for (const stored of list.newestFirst(checked)) {
      if (!matches(stored)) continue;
      if (items.length === checked.limit) {
        more = true;
        break;
      }
      items.push(view(stored));
    }
    const last = items[items.length - 1];
    return more && last ? { items, nextCursor: encodeCursor(checked, last.message) } : { items };
  }

  async endpointStats(endpointId: string, window: { since: number; until: number }): Promise<EndpointStats> {
    checkTimes({ since: window.since, until: window.until }, [], 'MemoryQueue.endpointStats()');
    const counts = { pending: 0, failing: 0, delivered: 0, exhausted: 0, disabled: 0, cancelled: 0 };
    let lastSuccessAt: number | undefined;
    let lastFailureAt: number | undefined;
    for (const stored of this.history().endpoint(endpointId)?.newestFirst(window) ?? []) {
      for (const { delivery } of stored.entries) {
        if (delivery.endpointId !== endpointId) continue;
        counts[deliveryState(delivery)] += 1;
        for (const attempt of delivery.attempts) {
          const ok = attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300;
          if (ok && (lastSuccessAt === undefined || attempt.startedAt > lastSuccessAt))
            lastSuccessAt = attempt.startedAt;
          if (!ok && (lastFailureAt === undefined || attempt.startedAt > lastFailureAt))
            lastFailureAt = attempt.startedAt;
        }
      }
    }
    const { cancelled: _cancelled, ...byState } = counts;
    return {
      endpointId,
      since: window.since,
      until: window.until,
      ...byState,
      ...(lastSuccessAt === undefined ? {} : { lastSuccessAt }),
      ...(lastFailureAt === undefined ? {} : { lastFailureAt }),
    };
  }

  async recover(endpointId: string, options: { now: number; since: number; until?: number }): Promise<number> {
    const { now, since, until } = options;
    checkTimes({ now, since, until }, ['until'], 'MemoryQueue.recover()');
    let count = 0;
    const range = { since: options.since, ...(options.until === undefined ? {} : { until: options.until }) };
    for (const stored of this.history().endpoint(endpointId)?.newestFirst(range) ?? []) {
      let restarted = false;
      for (const entry of stored.entries) {
        const { status } = entry.delivery;
        if (entry.delivery.endpointId !== endpointId || (status !== 'exhausted' && status !== 'disabled')) continue;
        this.restart(entry, options.now);
        restarted = true;
        count += 1;
      }
      if (restarted) this.finished.delete(stored.message.id);
    }
    return count;
  }

  async erasePayload(messageId: string, options: { now: number }): Promise<boolean> {
    const stored = this.messages.get(messageId);
    if (!stored) return false;
    if (stored.message.erasedAt === undefined) {
      stored.message = { ...stored.message, body: '', erasedAt: options.now };
    }
    const endpoints = new Set<string>();
    let cancelled = 0;
    for (const entry of stored.entries) {
      const { status, nextAttemptAt: _dropped, ...delivery } = entry.delivery;
      if (status !== 'pending') continue;
      entry.delivery = { ...delivery, status: 'cancelled' };
      this.pending -= 1;
      cancelled += 1;
      if (entry.leaseToken !== undefined) {
        // Its holder may still settle: the attempt is recorded, and the delivery stays cancelled.
        this.leased.delete(entry.leaseToken);
        this.cancelledLeases.set(entry.leaseToken, entry);
      } else endpoints.add(delivery.endpointId);
    }
    for (const endpointId of endpoints) {
      const heap = this.waiting.get(endpointId);
      heap?.removeWhere((entry) => entry.delivery.status !== 'pending');
      if (heap?.size === 0) this.waiting.delete(endpointId);
    }
    // A message that had nothing pending was finished already.
    if (cancelled > 0) this.finishIfDone(stored);
    return true;
  }

  async prune(options: PruneOptions): Promise<number> {
    const { olderThan, keepMessages } = checkPruneOptions(options, 'MemoryQueue.prune()');
    if (olderThan === undefined && keepMessages === undefined) return 0;
    let count = 0;
    for (const stored of this.history().oldestFirst()) {
      const old = olderThan !== undefined && stored.message.createdAt < olderThan;
      const beyond = keepMessages !== undefined && this.finished.size > keepMessages;
      // Oldest first: once a message is neither old nor beyond the kept ones, none after it is.
      if (!old && !beyond) break;
      if (!this.finished.has(stored.message.id)) continue;
      this.finished.delete(stored.message.id);
      this.drop(stored);
      count += 1;
    }
    return count;
  }

  async close(): Promise<void> {}

  /** A cancelled delivery's holder settles: the attempt is kept, the delivery stays cancelled. */
  private settleCancelled(token: string, attempt: AttemptRecord | undefined): boolean {
    const entry = this.cancelledLeases.get(token);
    if (!entry) return false;
    this.cancelledLeases.delete(token);
    entry.leaseToken = undefined;
    if (attempt) entry.delivery = { ...entry.delivery, attempts: [...entry.delivery.attempts, attempt] };
    return true;
  }

  /** Makes a delivery pending again, due at `now`, its retry schedule starting after the attempts so far. */
  private restart(entry: Entry, now: number): void {
    const { messageId, endpointId, url, attempts } = entry.delivery;
    entry.delivery = {
      messageId,
      endpointId,
      url,
      status: 'pending',
      attempts,
      scheduleBase: attempts.length,
      nextAttemptAt: now,
    };
    this.wait(entry);
    this.pending += 1;
  }

  private history(): HistoryIndex<StoredMessage> {
    this.historyIndex ??= HistoryIndex.of([...this.messages.values()]);
    return this.historyIndex;
  }

  private drop(stored: StoredMessage): void {
    stored.dropped = true;
    this.messages.delete(stored.message.id);
    this.historyIndex?.drop(stored);
  }

  private wait(entry: Entry): void {
    const { endpointId } = entry.delivery;
    let heap = this.waiting.get(endpointId);
    if (!heap) {
      heap = new MinHeap<Entry>(before);
      this.waiting.set(endpointId, heap);
    }
    heap.push(entry);
  }

  /** A lease that outlived its holder (a crashed or stuck worker) returns its delivery to the queue. */
  private reclaimExpired(now: number): void {
    if (now < this.earliestLeaseEnd) return;
    this.earliestLeaseEnd = Infinity;
    for (const [token, entry] of this.leased) {
      if (entry.leaseUntil > now) continue;
      this.leased.delete(token);
      entry.leaseToken = undefined;
      this.wait(entry);
    }
    for (const [token, entry] of this.cancelledLeases) {
      if (entry.leaseUntil <= now) this.cancelledLeases.delete(token);
    }
    for (const entry of this.leased.values()) {
      this.earliestLeaseEnd = Math.min(this.earliestLeaseEnd, entry.leaseUntil);
    }
  }

  private finishIfDone(stored: StoredMessage): void {
    if (stored.dropped) return;
    for (const entry of stored.entries) if (entry.delivery.status === 'pending') return;
    const messageId = stored.message.id;
    this.finished.add(messageId);
    this.finishedOrder.push(messageId);
    while (this.finished.size > this.retainFinished && this.finishedHead < this.finishedOrder.length) {
      const oldest = this.finishedOrder[this.finishedHead++] as string;
      if (!this.finished.delete(oldest)) continue; // redelivered since: pending again, or finished later
      this.drop(this.messages.get(oldest) as StoredMessage);
    }
    if (this.finishedHead > 1024 && this.finishedHead * 2 > this.finishedOrder.length) {
      this.finishedOrder = this.finishedOrder.slice(this.finishedHead);
      this.finishedHead = 0;
    }
  }
}

/** Whether a message matches the query's filters (its window and cursor are the walk's bounds). */
function matcher(query: CheckedMessageQuery): (stored: StoredMessage) => boolean {
  const { owner, event, endpointId, status } = query;
  return (stored) => {
    const { message, entries } = stored;
    if (owner !== undefined && (message.owner ?? null) !== owner) return false;
    if (event !== undefined && message.event !== event) return false;
    if (endpointId === undefined && status === undefined) return true;
    return entries.some(
      ({ delivery }) =>
        (endpointId === undefined || delivery.endpointId === endpointId) &&
        (status === undefined || deliveryState(delivery) === status),
    );
  };
}

function view(stored: StoredMessage): MessageView {
  return { message: stored.message, deliveries: stored.entries.map((entry) => entry.delivery) };
}
