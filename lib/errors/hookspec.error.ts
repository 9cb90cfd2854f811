/**
 * Base class of every error hookspec throws. `code` is stable and machine-readable; the message names
 * what was wrong, where, and how to fix it.
 */
export class HookspecError extends Error {
  override name = 'HookspecError';

  constructor(
    /** Stable identifier of the failure, e.g. `invalid-webhook-name`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
