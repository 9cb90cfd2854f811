import type { PayloadThunk } from './webhook.metadata';

/** One `@Payload` declaration on a method of a catalog class. */
export interface PayloadMetadata {
  readonly methodName: string;
  /** Returns the payload class; resolved only when a document or a client is built. */
  readonly type: PayloadThunk;
  /** How the payload was declared, for error messages: `@Payload(X)` or `@Payload() on parameter 0`. */
  readonly declaredAs: string;
}
