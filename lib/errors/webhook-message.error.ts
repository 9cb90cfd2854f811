import { HookspecError } from './hookspec.error';

/** The codes a `WebhookMessageError` is thrown with. */
export type WebhookMessageErrorCode = 'invalid-message-id' | 'invalid-timestamp' | 'invalid-body';

/**
 * `sign()` or `verifySignature()` was given a message that cannot be signed unambiguously: an id that is
 * empty or holds a `.`, a timestamp that is not Unix seconds, a body that is neither a string nor bytes.
 */
export class WebhookMessageError extends HookspecError<WebhookMessageErrorCode> {
  override name = 'WebhookMessageError';
}
