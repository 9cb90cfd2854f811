import { HookspecError } from './hookspec.error';

/**
 * A `WebhookClient` was configured in a way that cannot work: no webhooks, an endpoint without a key or
 * with an unknown event, a reserved header, a bad number. Thrown by the constructor, before anything is
 * accepted; the message names the option and the fix, never a secret.
 */
export class WebhookClientConfigError extends HookspecError {
  override name = 'WebhookClientConfigError';
}
