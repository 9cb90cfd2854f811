/*
 * Every error hookspec throws: one class per file, all `HookspecError`s with a `code` typed as the union of
 * the codes that class is thrown with. A leaf: it imports nothing else from lib/.
 */
export { HookspecError } from './hookspec.error';
export { WebhookDefinitionError } from './webhook-definition.error';
export type { WebhookDefinitionErrorCode } from './webhook-definition.error';
export { ReflectMetadataMissingError } from './reflect-metadata-missing.error';
export type { ReflectMetadataMissingErrorCode } from './reflect-metadata-missing.error';
export { SchemaGenerationError } from './schema-generation.error';
export type { SchemaGenerationErrorCode } from './schema-generation.error';
export { OpenApiDocumentError } from './openapi-document.error';
export type { OpenApiDocumentErrorCode } from './openapi-document.error';
export { WebhookSecretError } from './webhook-secret.error';
export type { WebhookSecretErrorCode } from './webhook-secret.error';
export { WebhookMessageError } from './webhook-message.error';
export type { WebhookMessageErrorCode } from './webhook-message.error';
export { WebhookTransportError } from './webhook-transport.error';
export type { WebhookTransportErrorCode } from './webhook-transport.error';
export { WebhookValidationError } from './webhook-validation.error';
export type { ValidationIssue, WebhookValidationErrorCode } from './webhook-validation.error';
export { WebhookClientConfigError } from './webhook-client-config.error';
export type { WebhookClientConfigErrorCode } from './webhook-client-config.error';
export { WebhookSendError } from './webhook-send.error';
export type { WebhookSendErrorCode } from './webhook-send.error';
export { WebhookVerificationError } from './webhook-verification.error';
export { WebhookReceiverConfigError } from './webhook-receiver-config.error';
export type { WebhookReceiverConfigErrorCode } from './webhook-receiver-config.error';
export type { VerificationFailure } from './webhook-verification.error';
export { DeliveryQueueError } from './delivery-queue.error';
export type { DeliveryQueueErrorCode } from './delivery-queue.error';
export { CliError } from './cli.error';
export type { CliErrorCode } from './cli.error';
export { EndpointStoreError } from './endpoint-store.error';
export type { EndpointStoreErrorCode } from './endpoint-store.error';
export { WebhookAdminError, WEBHOOK_ADMIN_ERROR_STATUS } from './webhook-admin.error';
export type { WebhookAdminErrorCode } from './webhook-admin.error';
