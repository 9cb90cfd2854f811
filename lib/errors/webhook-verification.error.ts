import { HookspecError } from './hookspec.error';

/** Why a received webhook was refused. Stable: receivers answer and alert by it. */
export type VerificationFailure =
  | 'missing-header'
  | 'invalid-timestamp'
  | 'timestamp-too-old'
  | 'timestamp-too-new'
  | 'invalid-signature'
  | 'raw-body-required'
  | 'invalid-secret'
  | 'invalid-body'
  | 'unexpected-type'
  | 'replayed';

/**
 * A received webhook failed verification: `code` says which check. The message says what to do and
 * never contains a secret, a signature or the body.
 */
export class WebhookVerificationError extends HookspecError<VerificationFailure> {
  override name = 'WebhookVerificationError';
}
