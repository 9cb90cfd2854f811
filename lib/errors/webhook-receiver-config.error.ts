import { HookspecError } from './hookspec.error';

/** The codes a `WebhookReceiverConfigError` is thrown with. */
export type WebhookReceiverConfigErrorCode =
  'unknown-option' | 'invalid-option' | 'webhook-guard-missing' | 'unsupported-context';

/**
 * A receiver (`webhookMiddleware`, `webhookRoute`, `webhookPreHandler`, `WebhookGuard`, `hookspec listen`,
 * `verifyWebhook`'s options) was configured in a way that cannot work: an unknown option, a bad number,
 * several payload classes without the envelope that says which one a body is. Thrown when the receiver is
 * created, before any request; the message names the option and the fix, never a key.
 */
export class WebhookReceiverConfigError extends HookspecError<WebhookReceiverConfigErrorCode> {
  override name = 'WebhookReceiverConfigError';
}
