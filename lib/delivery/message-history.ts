import type { DeliveryRecord, MessageView } from './delivery-records';

/**
 * What a delivery is doing, as people filter by it: `failing` is a pending delivery whose last attempt
 * (since its last redelivery) failed; `pending` one that has not been attempted since it was queued or
 * redelivered. The others are the `DeliveryStatus` of the same name.
 */
export type DeliveryState = 'pending' | 'failing' | 'delivered' | 'exhausted' | 'disabled' | 'cancelled';

/** The state of a delivery, from its record. */
export function deliveryState(delivery: DeliveryRecord): DeliveryState {
  if (delivery.status !== 'pending') return delivery.status;
  return delivery.attempts.length > delivery.scheduleBase ? 'failing' : 'pending';
}

/** The largest page a history query returns, and the default. */
export const MAX_PAGE_SIZE = 250;
export const DEFAULT_PAGE_SIZE = 50;

/**
 * Which messages to list. Every filter is optional and they combine with AND. Messages come newest first
 * (`createdAt`, then id, descending).
 */
export interface MessageQuery {
  /** `undefined`: every owner's messages; `null`: only messages sent without an owner; a string: that owner's. */
  readonly owner?: string | null;
  /** Only messages with a delivery to this endpoint (and `status`, when given, is that delivery's). */
  readonly endpointId?: string;
  /** Only messages of this webhook name. */
  readonly event?: string;
  /** Only messages with at least one delivery (to `endpointId`, when given) in this state. */
  readonly status?: DeliveryState;
  /** Epoch milliseconds: `createdAt >= since`. */
  readonly since?: number;
  /** Epoch milliseconds: `createdAt < until`. */
  readonly until?: number;
  /** 1 to MAX_PAGE_SIZE. Default: DEFAULT_PAGE_SIZE. */
  readonly limit?: number;
  /** `nextCursor` of the previous page; opaque. A cursor from other filters is refused (`invalid-cursor`). */
  readonly cursor?: string;
}

/** One page of a listing; `nextCursor` is absent on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

/** An endpoint's deliveries over a window, by state, for a dashboard. */
export interface EndpointStats {
  readonly endpointId: string;
  /** The window, epoch milliseconds: messages with `since <= createdAt < until`. */
  readonly since: number;
  readonly until: number;
  readonly pending: number;
  readonly failing: number;
  readonly delivered: number;
  readonly exhausted: number;
  readonly disabled: number;
  /** Epoch milliseconds of the last 2xx attempt in the window, and of the last failed one. */
  readonly lastSuccessAt?: number;
  readonly lastFailureAt?: number;
}

/** Which finished messages `prune()` deletes: older than `olderThan`, and beyond the newest `keepMessages`. */
export interface PruneOptions {
  /** Epoch milliseconds: finished messages created before it are deleted. */
  readonly olderThan?: number;
  /** At most this many finished messages are kept (the newest). */
  readonly keepMessages?: number;
}

/**
 * The message history a queue keeps: what the management layer (`WebhookAdmin`) reads and acts on. The
 * built-in queues implement it on indexes (a page among 100,000 messages costs what a page among 100
 * costs); a queue of your own may leave it out, and `WebhookAdmin` then refuses to start.
 */
export interface MessageHistory {
  /** Messages with their deliveries and attempt logs, newest first. Rejects `invalid-cursor` for a foreign cursor. */
  queryMessages(query: MessageQuery): Promise<Page<MessageView>>;
  /** Counts of the endpoint's deliveries of messages created in `[since, until)`. */
  endpointStats(endpointId: string, window: { since: number; until: number }): Promise<EndpointStats>;
  /**
   * Makes the endpoint's exhausted and disabled deliveries of messages created in `[since, until)` pending
   * again, due at `now`, with a fresh retry schedule. Returns how many were reset.
   */
  recover(endpointId: string, options: { now: number; since: number; until?: number }): Promise<number>;
  /**
   * Erases the message's payload (its body becomes `''`, `erasedAt` is set) and keeps its delivery
   * records and attempt logs; pending deliveries end `cancelled`. Returns false when the message is
   * unknown. A leased delivery's attempt in flight may still finish.
   */
  erasePayload(messageId: string, options: { now: number }): Promise<boolean>;
  /** Deletes finished messages (no delivery pending) with their deliveries and attempt logs. Returns how many. */
  prune(options: PruneOptions): Promise<number>;
}

/** A queue with a history: every built-in queue. */
export function hasMessageHistory(queue: object): queue is MessageHistory {
  const candidate = queue as Partial<MessageHistory>;
  return (
    typeof candidate.queryMessages === 'function' &&
    typeof candidate.endpointStats === 'function' &&
    typeof candidate.recover === 'function' &&
    typeof candidate.erasePayload === 'function' &&
    typeof candidate.prune === 'function'
  );
}
