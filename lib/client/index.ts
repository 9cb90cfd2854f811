export { WebhookClient } from './webhook-client';
export type { BuiltInTransport, WebhookClientOptions, SendResult, SendOptions } from './webhook-client-options';
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
  DeliveryRef,
} from './client-events';
