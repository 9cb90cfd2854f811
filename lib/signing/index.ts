/*
 * Standard Webhooks signatures: `whsec_` secrets (HMAC-SHA256, `v1`) and ed25519 keys (`v1a`), the signed
 * content, constant-time verification. node:crypto only.
 */
export {
  generateSecret,
  parseSecret,
  SECRET_PREFIX,
  MIN_SECRET_BYTES,
  MAX_SECRET_BYTES,
  DEFAULT_SECRET_BYTES,
} from './secret';
export { generateKeyPair, parsePrivateKey, parsePublicKey, PRIVATE_KEY_PREFIX, PUBLIC_KEY_PREFIX } from './key-pair';
export type { WebhookKeyPair } from './key-pair';
export { signedContent, findMessageProblem, MAX_MESSAGE_ID_LENGTH } from './message';
export type { WebhookMessage, MessageProblem } from './message';
export { sign, createSigner } from './sign';
export {
  verifySignature,
  parseSignatureHeader,
  MAX_SIGNATURE_HEADER_LENGTH,
  MAX_SIGNATURES_EXAMINED,
} from './verify-signature';
export type { SignatureEntry } from './verify-signature';
