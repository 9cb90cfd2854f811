import { HookspecError } from './hookspec.error';

/** The codes a `DeliveryQueueError` is thrown with. */
export type DeliveryQueueErrorCode =
  | 'missing-dependency'
  | 'unknown-option'
  | 'invalid-option'
  | 'invalid-options'
  | 'unsupported-schema'
  | 'queue-failed'
  | 'queue-closed'
  | 'duplicate-message';

/**
 * A delivery queue could not be opened or used: its optional dependency is not installed
 * (`missing-dependency`), its options cannot work (`unknown-option`, `invalid-option`), its store is of a
 * newer schema than this version understands (`unsupported-schema`), the store failed (`queue-failed`), the
 * queue was used after `close()` (`queue-closed`), or a message id was added twice (`duplicate-message`).
 * The message names the queue, the option or file, and the fix; it never holds a secret or a connection
 * password.
 */
export class DeliveryQueueError extends HookspecError<DeliveryQueueErrorCode> {
  override name = 'DeliveryQueueError';
}
