export { Webhook, Payload, WebhookProperty, WEBHOOK_NAME_PATTERN } from './decorators';
export { buildOpenApi } from './openapi';
export { upgradeToOpenApi31 } from './openapi/upgrade-to-openapi-31';
export type { BuildOpenApiOptions } from './openapi';
export { defaultConverters } from './schema/default-converters';
export type { SchemaConverter, SchemaConverters, ConverterContext, ValidationFact } from './schema';
export { generateSecret, generateKeyPair, sign, verifySignature } from './signing';
export type { WebhookMessage, WebhookKeyPair } from './signing';
export { WebhookClient } from './client';
export { verifyWebhook, verifyWebhookMessage, parseWebhook, parseWebhookMessage, MemorySeenStore } from './receiver';
export type {
  VerifiedWebhook,
  ParseOptions,
  VerifyOptions,
  SeenStore,
  MemorySeenStoreOptions,
  WebhookHeaders,
} from './receiver';
export type {
  BuiltInTransport,
  WebhookClientOptions,
  SendResult,
  SendOptions,
  WebhookEndpoint,
  EndpointStore,
  WebhookLogger,
  CatalogPayload,
  MethodPayloads,
  WebhookClass,
  WebhookClientEvents,
  AttemptEvent,
  DeliveredEvent,
  RetryScheduledEvent,
  ExhaustedEvent,
  EndpointDisabledEvent,
  DeliveryRef,
} from './client';
export { DEFAULT_RETRY_SCHEDULE } from './delivery';
export { MemoryQueue } from './queues/memory';
export type { MemoryQueueOptions } from './queues/memory';
// The durable queues are the subpath entries `hookspec/sqlite` and `hookspec/bullmq`: their declarations
// name their peers' types (better-sqlite3, bullmq, ioredis), which must never be needed to import this one.
export type {
  DeliveryQueue,
  LeaseRequest,
  NewDelivery,
  Lease,
  Settlement,
  MessageRecord,
  DeliveryRecord,
  DeliveryStatus,
  AttemptRecord,
  MessageView,
  RetryOptions,
} from './delivery';
export { deliveryState, hasMessageHistory, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from './delivery';
export type { MessageHistory, MessageQuery, Page, DeliveryState, EndpointStats, PruneOptions } from './delivery';
export { checkEndpointUrl } from './transport';
export type {
  CheckEndpointUrlOptions,
  CheckedEndpointUrl,
  LookupAllFunction,
  Transport,
  TransportRequest,
  TransportResponse,
} from './transport';
// Types of public options (the API report flagged them as used but not exported).
export type { EnvelopeMode } from './envelope';
export type { PayloadFromBodyOptions } from './payload';
export type {
  WebhookOptions,
  WebhookExample,
  WebhookRetryOptions,
  UnknownProperties,
  WebhookPropertyOptions,
  WebhookDefinition,
  TypeReference,
} from './metadata';
export {
  HookspecError,
  WebhookDefinitionError,
  ReflectMetadataMissingError,
  SchemaGenerationError,
  OpenApiDocumentError,
  WebhookSecretError,
  WebhookMessageError,
  WebhookTransportError,
  WebhookValidationError,
  WebhookClientConfigError,
  WebhookSendError,
  WebhookVerificationError,
  WebhookReceiverConfigError,
  DeliveryQueueError,
  CliError,
} from './errors';
export type {
  ValidationIssue,
  VerificationFailure,
  WebhookDefinitionErrorCode,
  ReflectMetadataMissingErrorCode,
  SchemaGenerationErrorCode,
  OpenApiDocumentErrorCode,
  WebhookSecretErrorCode,
  WebhookMessageErrorCode,
  WebhookReceiverConfigErrorCode,
  WebhookTransportErrorCode,
  WebhookValidationErrorCode,
  WebhookClientConfigErrorCode,
  WebhookSendErrorCode,
  DeliveryQueueErrorCode,
  CliErrorCode,
} from './errors';
