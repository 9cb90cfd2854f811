import type { AttemptRecord } from '../delivery';

/** Which delivery a client event is about. */
export interface DeliveryRef {
  /** The `webhook-id`. */
  readonly messageId: string;
  /** The webhook's name. */
  readonly event: string;
  readonly endpointId: string;
  readonly url: string;
}

export interface AttemptEvent extends DeliveryRef {
  readonly attempt: AttemptRecord;
}

export interface DeliveredEvent extends DeliveryRef {
  readonly attempt: AttemptRecord;
}

export interface RetryScheduledEvent extends DeliveryRef {
  readonly attempt: AttemptRecord;
  readonly nextAttemptAt: Date;
  readonly delayMs: number;
  /** `HTTP 503`, `no response`, … */
  readonly reason: string;
}

export interface ExhaustedEvent extends DeliveryRef {
  /** The whole attempt log of this delivery. */
  readonly attempts: readonly AttemptRecord[];
  readonly reason: string;
}

export interface EndpointDisabledEvent {
  readonly endpointId: string;
  readonly url: string;
  /**
   * `gone` when it answered 410; `failing` when every attempt failed for `disableFailingEndpointAfterMs`
   * (the first failure of that run is `failingSince`).
   */
  readonly reason: 'gone' | 'failing';
  /** The message whose attempt disabled it. */
  readonly messageId: string;
  readonly failingSince?: Date;
}

/** An endpoint that had been failing answered 2xx again. */
export interface EndpointRecoveredEvent {
  readonly endpointId: string;
  readonly url: string;
  /** The message whose delivery succeeded. */
  readonly messageId: string;
  /** The first failed attempt of the run of failures that just ended. */
  readonly failingSince: Date;
}

/** The events a `WebhookClient` emits, by name. Listeners run synchronously; one that throws is logged, not fatal. */
export interface WebhookClientEvents {
  attempt: [AttemptEvent];
  delivered: [DeliveredEvent];
  'retry-scheduled': [RetryScheduledEvent];
  exhausted: [ExhaustedEvent];
  'endpoint-disabled': [EndpointDisabledEvent];
  'endpoint-recovered': [EndpointRecoveredEvent];
  error: [Error];
}
