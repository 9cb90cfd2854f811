import type { AttemptRecord, Lease, MessageRecord, MessageView, Settlement } from './delivery-records';

export interface NewDelivery {
  readonly endpointId: string;
  readonly url: string;
  /** Epoch milliseconds of the first attempt. */
  readonly nextAttemptAt: number;
  /**
   * `disabled` records a delivery that is not attempted because its endpoint is disabled at send time, so
   * that `recover()` can send it once the endpoint is enabled again. Default: `pending`.
   */
  readonly status?: 'pending' | 'disabled';
}

export interface LeaseRequest {
  /** Epoch milliseconds. */
  readonly now: number;
  /** At most this many leases. */
  readonly limit: number;
  /** How long the leases last; longer than an attempt's deadline. */
  readonly leaseMs: number;
  /**
   * How many more deliveries to this endpoint may be leased now (its concurrency limit minus what is in
   * flight). Default: no limit.
   */
  readonly endpointCapacity?: (endpointId: string) => number;
}

/**
 * Where messages wait between `send()` and their last attempt. The worker loop drives it: it leases due
 * deliveries, makes one attempt each, and settles them. Every queue (memory, SQLite, BullMQ) implements
 * this, and one conformance suite checks them all.
 */
export interface DeliveryQueue {
  /** Accepts a message and all its deliveries at once; resolves when they are stored (durably, if the queue is). */
  enqueue(message: MessageRecord, deliveries: readonly NewDelivery[]): Promise<void>;
  /** Due deliveries, oldest due first, each leased to the caller until `now + leaseMs`. */
  lease(request: LeaseRequest): Promise<Lease[]>;
  /**
   * Records an attempt (if one was made) and the delivery's new state. Returns false, changing nothing,
   * when the lease is no longer the caller's (it expired and the delivery was leased again).
   */
  settle(lease: Lease, attempt: AttemptRecord | undefined, settlement: Settlement): Promise<boolean>;
  /**
   * Epoch milliseconds at which the next delivery becomes due (or a lease expires), if any, among the
   * endpoints that have capacity left.
   */
  nextDueAt(endpointCapacity?: (endpointId: string) => number): Promise<number | undefined>;
  /** Deliveries not yet delivered, exhausted or disabled (leased ones included). */
  countPending(): Promise<number>;
  /** A message with its deliveries and their attempt logs. */
  getMessage(messageId: string): Promise<MessageView | undefined>;
  /**
   * Makes the message's exhausted and disabled deliveries (or only `endpointId`'s) pending again, due
   * at `now`, with a fresh retry schedule; with `includeDelivered`, delivered ones too (a resend).
   * Pending and cancelled deliveries are left alone. Returns how many were reset.
   */
  redeliver(
    messageId: string,
    options: { now: number; endpointId?: string; includeDelivered?: boolean },
  ): Promise<number>;
  /**
   * Optional, for queues that other processes write to (a producer elsewhere): calls `onWork` when work
   * may have arrived that this process did not enqueue, so the worker looks at once instead of at its
   * next timer. Returns a function that stops the calls.
   */
  watch?(onWork: () => void): () => void;
  /** Releases what the queue holds open. Durable queues keep pending work for the next process. */
  close(): Promise<void>;
}
