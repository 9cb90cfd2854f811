export { Webhook, Payload, WebhookProperty, WEBHOOK_NAME_PATTERN } from './decorators';
export { buildOpenApi } from './openapi';
export type { BuildOpenApiOptions } from './openapi';
export { defaultConverters } from './schema';
export type { SchemaConverter, SchemaConverters, ConverterContext, ValidationFact } from './schema';
export { isWebhookClass, resolveWebhookDefinitions } from './metadata';
export type {
  WebhookOptions,
  WebhookExample,
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
} from './errors';
