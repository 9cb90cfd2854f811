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
  EndpointRecoveredEvent,
  DeliveryRef,
  RedeliverResult,
  RedeliverSkipReason,
} from './client';
export { DEFAULT_RETRY_SCHEDULE } from './delivery';
export { MemoryEndpointStore, MAX_SECRET_GRACE_MS, DEFAULT_SECRET_GRACE_MS } from './endpoints';
export type {
  EndpointInput,
  EndpointPatch,
  StoredEndpoint,
  EndpointQuery,
  EndpointWithSecret,
  WritableEndpointStore,
} from './endpoints';
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
  DeliveryState,
  MessageQuery,
  Page,
  EndpointStats,
  PruneOptions,
  MessageHistory,
} from './delivery';
export { deliveryState, hasMessageHistory, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from './delivery';
export { WebhookAdmin, PORTAL_CAPABILITIES } from './management';
export type {
  OwnerScope,
  RetentionOptions,
  WebhookAdminOptions,
  EventTypeView,
  PortalCapability,
  PortalSession,
  PortalTokenOptions,
} from './management';
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
  EndpointStoreError,
  WebhookAdminError,
  WEBHOOK_ADMIN_ERROR_STATUS,
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
  EndpointStoreErrorCode,
  WebhookAdminErrorCode,
} from './errors';
// The management API over HTTP: the framework-neutral core and its OpenAPI document (adapters: hookspec/express, …).
export { buildAdminOpenApi, handleAdminRequest, ADMIN_BODY_LIMIT } from './management/http';
export type {
  BuildAdminOpenApiOptions,
  AdminRequest,
  AdminRequestTarget,
  AdminResponse,
  AdminProblem,
  AdminProblemCode,
  HandleAdminRequestOptions,
  AdminAuthorization,
  AdminRouterOptions,
  FieldProblem,
  AdminQuery,
} from './management/http';
