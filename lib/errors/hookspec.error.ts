/**
 * Base class of every error hookspec throws. `code` is stable and machine-readable; the message names
 * what was wrong, where, and how to fix it. Each subclass narrows `Code` to the union of the codes it is
 * thrown with (`OpenApiDocumentErrorCode`, …), so a `switch (error.code)` is checked by the compiler.
 */
export class HookspecError<Code extends string = string> extends Error {
  override name = 'HookspecError';

  constructor(
    /** Stable identifier of the failure, e.g. `invalid-webhook-name`. */
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
