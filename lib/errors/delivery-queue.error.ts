import { HookspecError } from './hookspec.error';

/** The codes a `DeliveryQueueError` is thrown with. */
export type DeliveryQueueErrorCode =
  | 'missing-dependency'
  | 'unknown-option'
  | 'invalid-option'
  | 'unsupported-schema'
  | 'queue-failed'
  | 'queue-closed'
  | 'duplicate-message'
  | 'worker-stopped'
  | 'invalid-query'
  | 'invalid-cursor'
  | 'invalid-transaction';

/**
 * A delivery queue could not be opened or used: its optional dependency is not installed
 * (`missing-dependency`), an option is unknown (`unknown-option`) or cannot work (`invalid-option`), its
 * store is of a newer schema than this version understands (`unsupported-schema`), the store failed
 * (`queue-failed`), a message id is already queued (`duplicate-message`), the queue was used after
 * `close()` (`queue-closed`), a history query has a bad filter (`invalid-query`) or a cursor that
 * another query made (`invalid-cursor`), `send({ tx })` was given something that is not an open
 * transaction the queue can write in (`invalid-transaction`), or the worker stopped with deliveries still pending (`worker-stopped`). The
 * message names the queue, the option or file, and the fix; it never holds a secret or a connection password.
 */
export class DeliveryQueueError extends HookspecError<DeliveryQueueErrorCode> {
  override name = 'DeliveryQueueError';
}
