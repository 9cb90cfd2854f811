import { HookspecError } from './hookspec.error';

/** The codes a `WebhookSecretError` is thrown with. */
export type WebhookSecretErrorCode = 'invalid-secret' | 'invalid-key';

/**
 * A secret or key is malformed: not `whsec_` + strict base64 of 24–64 bytes, or not a `whsk_` / `whpk_`
 * ed25519 key. The message says which rule failed, never the secret itself.
 */
export class WebhookSecretError extends HookspecError<WebhookSecretErrorCode> {
  override name = 'WebhookSecretError';
}
