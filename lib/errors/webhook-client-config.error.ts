import { HookspecError } from './hookspec.error';

/** The codes a `WebhookClientConfigError` is thrown with. */
export type WebhookClientConfigErrorCode =
  | 'unknown-option'
  | 'invalid-option'
  | 'no-webhooks'
  | 'invalid-webhooks'
  | 'invalid-endpoints'
  | 'invalid-endpoint'
  | 'duplicate-endpoint'
  | 'reserved-header'
  | 'unknown-event'
  | 'missing-dependency';

/**
 * A `WebhookClient` (or `HookspecModule`) was configured in a way that cannot work: an unknown option, no
 * webhooks, an endpoint without a key or with an unknown event, a reserved header, a bad number, or
 * `transport: 'undici'` without undici installed (`missing-dependency`). Thrown
 * before anything is accepted; the message names the option and the fix, never a secret.
 */
export class WebhookClientConfigError extends HookspecError<WebhookClientConfigErrorCode> {
  override name = 'WebhookClientConfigError';
}
