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
import { MinHeap } from './min-heap';

interface Entry {
  delivery: DeliveryRecord;
  /** Order of acceptance, to keep first-in first-out among equal due times. */
  readonly sequence: number;
  lease?: { readonly token: string; readonly until: number };
}

interface StoredMessage {
  readonly message: MessageRecord;
  readonly entries: Entry[];
}

export interface MemoryQueueOptions {
  /**
   * How many finished messages (every delivery delivered, exhausted or disabled) stay readable through
   * `getMessage()` and `redeliver()`; the oldest finished are dropped first. Default: 10000.
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
export class MemoryQueue implements DeliveryQueue {
  private readonly messages = new Map<string, StoredMessage>();
  /** Pending, unleased deliveries by endpoint; an endpoint with nothing waiting has no heap. */
  private readonly waiting = new Map<string, MinHeap<Entry>>();
  private readonly leased = new Map<string, Entry>();
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
    const entries = deliveries.map((d) => ({
      sequence: this.sequence++,
      delivery: {
        messageId: message.id,
        endpointId: d.endpointId,
        url: d.url,
        status: 'pending' as const,
        attempts: [],
        scheduleBase: 0,
        nextAttemptAt: d.nextAttemptAt,
      },
    }));
    this.messages.set(message.id, { message, entries });
    for (const entry of entries) this.wait(entry);
    this.pending += entries.length;
    // Only a message without deliveries is finished as it is accepted.
    if (entries.length === 0) this.finishIfDone(message.id);
  }

  async lease(request: LeaseRequest): Promise<Lease[]> {
    this.reclaimExpired(request.now);
    const leases: Lease[] = [];
    const room = new Map<string, number>();
    while (leases.length < request.limit) {
      // The earliest due head among the endpoints with room (kept in locals: this loop runs per lease).
      let bestId: string | undefined;
      let bestHeap: MinHeap<Entry> | undefined;
      let bestHead: Entry | undefined;
      for (const [endpointId, heap] of this.waiting) {
        const head = heap.peek() as Entry;
        if (dueAt(head) > request.now) continue;
        if ((room.get(endpointId) ?? request.endpointCapacity?.(endpointId) ?? Infinity) <= 0) continue;
        if (!bestHead || before(head, bestHead)) {
          bestId = endpointId;
          bestHeap = heap;
          bestHead = head;
        }
      }
      if (bestId === undefined || bestHeap === undefined) break;
      const entry = bestHeap.pop() as Entry;
      if (bestHeap.size === 0) this.waiting.delete(bestId);
      room.set(bestId, (room.get(bestId) ?? request.endpointCapacity?.(bestId) ?? Infinity) - 1);
      const token = `lease-${++this.leaseCounter}`;
      entry.lease = { token, until: request.now + request.leaseMs };
      this.earliestLeaseEnd = Math.min(this.earliestLeaseEnd, entry.lease.until);
      this.leased.set(token, entry);
      leases.push({
        token,
        message: (this.messages.get(entry.delivery.messageId) as StoredMessage).message,
        delivery: entry.delivery,
        leasedUntil: entry.lease.until,
      });
    }
    return leases;
  }

  async settle(lease: Lease, attempt: AttemptRecord | undefined, settlement: Settlement): Promise<boolean> {
    const entry = this.leased.get(lease.token);
    if (!entry || entry.lease?.token !== lease.token) return false;
    this.leased.delete(lease.token);
    delete entry.lease;
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
      this.finishIfDone(entry.delivery.messageId);
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
      const until = entry.lease?.until ?? 0;
      if (next === undefined || until < next) next = until;
    }
    return next;
  }

  async countPending(): Promise<number> {
    return this.pending;
  }

  async getMessage(messageId: string): Promise<MessageView | undefined> {
    const stored = this.messages.get(messageId);
    if (!stored) return undefined;
    return { message: stored.message, deliveries: stored.entries.map((entry) => entry.delivery) };
  }

  async redeliver(messageId: string, options: { now: number; endpointId?: string }): Promise<number> {
    const stored = this.messages.get(messageId);
    let count = 0;
    for (const entry of stored?.entries ?? []) {
      const { delivery } = entry;
      if (delivery.status !== 'exhausted' && delivery.status !== 'disabled') continue;
      if (options.endpointId !== undefined && delivery.endpointId !== options.endpointId) continue;
      entry.delivery = {
        ...delivery,
        status: 'pending',
        scheduleBase: delivery.attempts.length,
        nextAttemptAt: options.now,
      };
      this.wait(entry);
      count += 1;
    }
    this.pending += count;
    if (count > 0) this.finished.delete(messageId);
    return count;
  }

  async close(): Promise<void> {}

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
      if ((entry.lease?.until ?? 0) > now) continue;
      this.leased.delete(token);
      delete entry.lease;
      this.wait(entry);
    }
    for (const entry of this.leased.values()) {
      this.earliestLeaseEnd = Math.min(this.earliestLeaseEnd, entry.lease?.until ?? Infinity);
    }
  }

  private finishIfDone(messageId: string): void {
    const stored = this.messages.get(messageId);
    if (!stored || stored.entries.some((entry) => entry.delivery.status === 'pending')) return;
    this.finished.add(messageId);
    this.finishedOrder.push(messageId);
    while (this.finished.size > this.retainFinished && this.finishedHead < this.finishedOrder.length) {
      const oldest = this.finishedOrder[this.finishedHead++] as string;
      if (!this.finished.delete(oldest)) continue; // redelivered since: pending again, or finished later
      this.messages.delete(oldest);
    }
    if (this.finishedHead > 1024 && this.finishedHead * 2 > this.finishedOrder.length) {
      this.finishedOrder = this.finishedOrder.slice(this.finishedHead);
      this.finishedHead = 0;
    }
  }
}
