export { verifyWebhook, verifyWebhookMessage } from './verify-webhook';
export type { VerifiedWebhook } from './verify-webhook';
export { parseWebhook, parseWebhookMessage, payloadFromBody } from './parse-webhook';
export type { ParseOptions } from './parse-webhook';
export type { VerifyOptions } from './verify-options';
export { MemorySeenStore } from './seen-store';
export type { SeenStore, MemorySeenStoreOptions } from './seen-store';
export { readSignatureHeaders } from './webhook-headers';
export type { WebhookHeaders, SignatureHeaders } from './webhook-headers';
