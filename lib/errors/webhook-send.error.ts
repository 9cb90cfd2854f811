import { HookspecError } from './hookspec.error';

/** The codes a `WebhookSendError` is thrown with. */
export type WebhookSendErrorCode =
  | 'unknown-payload'
  | 'ambiguous-payload'
  | 'event-mismatch'
  | 'unknown-endpoint'
  | 'unknown-message'
  | 'client-closed'
  | 'no-worker'
  | 'unsupported'
  | 'payload-too-large'
  | 'invalid-option';

/**
 * `send()` or `redeliver()` was called with something the client cannot take: an instance of a class
 * outside its catalog, an event name that does not fit the payload, a body over `maxPayloadBytes`, an unknown
 * message id, a closed client.
 */
export class WebhookSendError extends HookspecError<WebhookSendErrorCode> {
  override name = 'WebhookSendError';
}
