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
