export { HookspecError } from './hookspec.error';
export { WebhookDefinitionError } from './webhook-definition.error';
export { ReflectMetadataMissingError } from './reflect-metadata-missing.error';
export { SchemaGenerationError } from './schema-generation.error';
export { OpenApiDocumentError } from './openapi-document.error';
