/*
 * The sender: `WebhookClient`, a façade over its option resolution (client-options.ts), the catalog of
 * webhooks it may send (catalog.ts), endpoint health (endpoint-health.ts) and the report of each settled
 * attempt (settlement-report.ts). Run time only: it never loads lib/schema.
 */
export { WebhookClient } from './webhook-client';
export type {
  BuiltInTransport,
  WebhookClientOptions,
  SendResult,
  SendOptions,
  TransactionalSendOptions,
  TransactionalSendResult,
  RedeliverResult,
  RedeliverSkipReason,
} from './webhook-client-options';
export { clientInternals } from './client-internals';
export type { ClientInternals } from './client-internals';
export { checkOwner, MAX_OWNER_LENGTH } from './owner';
export type { WebhookEndpoint, EndpointStore } from './endpoint';
export type { WebhookLogger } from './logger';
export type { CatalogPayload, MethodPayloads, WebhookClass } from './catalog-types';
export type {
  WebhookClientEvents,
  AttemptEvent,
  DeliveredEvent,
  RetryScheduledEvent,
  ExhaustedEvent,
  EndpointDisabledEvent,
  EndpointRecoveredEvent,
  DeliveryRef,
} from './client-events';
