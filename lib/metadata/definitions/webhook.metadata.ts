import type { WebhookOptions } from './webhook-options';

/** A payload type, given directly or as a thunk for forward references and circular imports. */
export type PayloadThunk = Function | (() => unknown);

/** One `@Webhook` declaration, as recorded on the class that carries it. */
export interface WebhookMetadata {
  /** The webhook's name, the key under `webhooks` in the document. */
  readonly name: string;
  readonly options: Readonly<WebhookOptions>;
  /** The decorated class: the payload itself (class style) or the catalog (method style). */
  readonly target: Function;
  /** The decorated method, for method-style webhooks. */
  readonly methodName?: string;
}
