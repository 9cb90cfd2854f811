/*
 * The subscriber's side: `verifyWebhook` / `parseWebhook`, and the framework-neutral receiver core (options,
 * keys, the answer to every failure, the replay claim) that lib/frameworks and `hookspec listen` adapt.
 */
export { verifyWebhook, verifyWebhookMessage } from './verify-webhook';
export type { VerifiedWebhook } from './verify-webhook';
export { parseWebhook, parseWebhookMessage } from './parse-webhook';
export { payloadFromBody } from '../payload';
export type { ParseOptions } from './parse-webhook';
export type { VerifyOptions } from './verify-options';
export { MemorySeenStore } from './seen-store';
export type { SeenStore, MemorySeenStoreOptions } from './seen-store';
export { readSignatureHeaders } from './webhook-headers';
export type { WebhookHeaders, SignatureHeaders } from './webhook-headers';
export { createWebhookReceiver } from './receiver-core';
export type { ReceivedWebhook, WebhookReceiver } from './receiver-core';
export { DEFAULT_WEBHOOK_BODY_LIMIT } from './receiver-options';
export type { WebhookReceiverOptions } from './receiver-options';
export { bodyTooLarge, describeFailure, DUPLICATE_ACKNOWLEDGED, rawBodyRequired, sendJson } from './receiver-answers';
export type { WebhookErrorBody, WebhookFailure } from './receiver-answers';
export { readRequestBody } from './read-request-body';
export { checkVerificationKeys } from './verification-keys';
export type { NamedKey } from './verification-keys';
