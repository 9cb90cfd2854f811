import { HookspecError } from './hookspec.error';

/**
 * `send()` or `redeliver()` was called with something the client cannot take: an instance of a class
 * outside its catalog, an event name that does not fit the payload, an unknown message id, a closed client.
 */
export class WebhookSendError extends HookspecError {
  override name = 'WebhookSendError';
}
