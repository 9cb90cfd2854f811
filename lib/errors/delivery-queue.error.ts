import { HookspecError } from './hookspec.error';

/**
 * A delivery queue could not be opened or used: its optional dependency is not installed
 * (`missing-dependency`), its options cannot work (`invalid-options`), its store is of a newer schema
 * than this version understands (`unsupported-schema`), the store failed (`queue-failed`), or the queue was used after `close()` (`queue-closed`). The message
 * names the queue, the option or file, and the fix; it never holds a secret or a connection password.
 */
export class DeliveryQueueError extends HookspecError {
  override name = 'DeliveryQueueError';
}
