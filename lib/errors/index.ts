export { HookspecError } from './hookspec.error';
export { WebhookDefinitionError } from './webhook-definition.error';
export { ReflectMetadataMissingError } from './reflect-metadata-missing.error';
export { SchemaGenerationError } from './schema-generation.error';
export { OpenApiDocumentError } from './openapi-document.error';
export { WebhookSecretError } from './webhook-secret.error';
export { WebhookTransportError } from './webhook-transport.error';
export { WebhookValidationError } from './webhook-validation.error';
export type { ValidationIssue } from './webhook-validation.error';
