/*
 * The records the decorators write on the classes (through reflect-metadata; the only code that touches
 * it), and their resolution into webhook definitions: the catalog of a list of classes, checked once for
 * both buildOpenApi and the client.
 */
export * from './metadata-store';
export {
  checkWebhookClassList,
  isWebhookClass,
  resolveWebhookDefinitions,
  resolveWebhookList,
  describeValue,
} from './webhook-definitions';
export { resolveTypeReference } from './type-reference';
export type {
  WebhookOptions,
  WebhookExample,
  WebhookRetryOptions,
  UnknownProperties,
} from './definitions/webhook-options';
export type { WebhookMetadata, PayloadThunk } from './definitions/webhook.metadata';
export type { PayloadMetadata } from './definitions/payload.metadata';
export type { WebhookDefinition } from './definitions/webhook-definition';
export type { WebhookPropertyOptions, TypeReference } from './definitions/webhook-property-options';
