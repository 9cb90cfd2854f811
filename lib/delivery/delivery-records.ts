/**
 * The state of one message's delivery to one endpoint. `disabled`: its endpoint was disabled (before the
 * send, or while it was pending); `recover` and `redeliver` can start it again. `cancelled`: its message's
 * payload was erased while it was pending; it never starts again.
 */
export type DeliveryStatus = 'pending' | 'delivered' | 'exhausted' | 'disabled' | 'cancelled';

/** A message as queued: the exact body bytes are fixed once, so every retry sends the same bytes. */
export interface MessageRecord {
  /** The `webhook-id`: the same on every attempt, retry and redelivery. */
  readonly id: string;
  /** The webhook's name. */
  readonly event: string;
  readonly body: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** The customer or account the message was sent for (`send(payload, { owner })`); absent for none. */
  readonly owner?: string;
  /** Epoch milliseconds at which the payload was erased (`body` is then empty); absent while it is kept. */
  readonly erasedAt?: number;
}

/** One HTTP attempt, as kept in the attempt log. Never holds a secret or a signature. */
export interface AttemptRecord {
  /** 1-based, counted over the delivery's whole life (redeliveries continue the count). */
  readonly attempt: number;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** The HTTP status, when a response came. */
  readonly status?: number;
  /** Why no usable response came: `timeout`, `connection-refused`, `ssrf-blocked`, … */
  readonly errorCode?: string;
  readonly error?: string;
  /** The first 20 kB of the response body. */
  readonly response?: string;
  readonly responseTruncated?: boolean;
}

export interface DeliveryRecord {
  readonly messageId: string;
  readonly endpointId: string;
  /** The endpoint's URL for people to read, without user info or query string (they may hold credentials). */
  readonly url: string;
  readonly status: DeliveryStatus;
  readonly attempts: readonly AttemptRecord[];
  /** Attempts made before the last redelivery: the retry schedule starts again after them. */
  readonly scheduleBase: number;
  /** Epoch milliseconds of the next attempt, while pending. */
  readonly nextAttemptAt?: number;
}

/** A delivery handed to one worker until `leasedUntil`; after that it returns to the queue. */
export interface Lease {
  readonly token: string;
  readonly message: MessageRecord;
  readonly delivery: DeliveryRecord;
  readonly leasedUntil: number;
}

/** What happened to a leased delivery. */
export type Settlement =
  | { readonly status: 'delivered' | 'exhausted' | 'disabled' }
  | { readonly status: 'pending'; readonly nextAttemptAt: number };

export interface MessageView {
  readonly message: MessageRecord;
  readonly deliveries: readonly DeliveryRecord[];
}
