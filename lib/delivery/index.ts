/*
 * What every queue and the worker agree on: the `DeliveryQueue` contract (leases, settlements, message
 * views), the retry policy, and the worker loop that leases due deliveries, attempts them and settles them.
 * Queues live in lib/queues.
 */
export type {
  AttemptRecord,
  DeliveryRecord,
  DeliveryStatus,
  Lease,
  MessageRecord,
  MessageView,
  Settlement,
} from './delivery-records';
export type { DeliveryQueue, LeaseRequest, NewDelivery } from './delivery-queue';
export { deliveryState, hasMessageHistory, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from './message-history';
export type { DeliveryState, MessageQuery, Page, EndpointStats, PruneOptions, MessageHistory } from './message-history';
export { hasOutbox } from './outbox';
export type { OutboxMessage, OutboxQueue, OutboxTransaction, RouteOutboxMessage } from './outbox';
export { RetryPolicy, DEFAULT_RETRY_SCHEDULE, parseRetryAfter, checkRetryOptions } from './retry-policy';
export type { RetryOptions, RetryDecision, AttemptOutcome } from './retry-policy';
export { DeliveryWorker } from './delivery-worker';
export type { AttemptResult, DeliverOnce, DeliveryWorkerOptions } from './delivery-worker';
