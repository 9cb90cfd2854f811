import type { ExampleObject, ExternalDocumentationObject } from 'openapi3-ts/oas31';

/** What an OpenAPI operation says about a webhook. Every field is optional. */
export interface WebhookOptions {
  /** One line shown in lists and the sidebar of documentation tools. Default: none. */
  summary?: string;
  /** Longer text, CommonMark allowed. Default: none. */
  description?: string;
  /** Tags that group the webhook in documentation. Default: none. */
  tags?: string[];
  /**
   * Unique id of the operation. Default: the method name for method-style webhooks, the name in
   * camelCase for class-style ones (`new-subscription` becomes `newSubscription`).
   */
  operationId?: string;
  /** Marks the webhook as deprecated in the document. Default: `false` (left out). */
  deprecated?: boolean;
  /** A link to more documentation. Default: none. */
  externalDocs?: ExternalDocumentationObject;
  /**
   * Named examples of the request body. A `value` may be a payload instance: it is serialised with
   * class-transformer exactly as it would be sent (dates become ISO 8601 strings). Default: none.
   */
  examples?: Record<string, WebhookExample>;
  /**
   * This webhook's retry schedule, laid over the client's `retry` option (e.g. a short schedule for a
   * time-sensitive event). Not part of the document. Default: the client's.
   */
  retry?: WebhookRetryOptions;
  /**
   * What `send()` does with properties of a payload that its class does not declare (they are not in the
   * document): `strip` leaves them out of the body, `reject` refuses the payload with a
   * `WebhookValidationError` naming each one. Not part of the document. Default: the client's (`strip`).
   */
  unknownProperties?: UnknownProperties;
}

/** What `send()` does with properties that a payload's class does not declare. */
export type UnknownProperties = 'strip' | 'reject';

/** Retry settings that a webhook can carry; the client reads them (see `RetryOptions`). */
export interface WebhookRetryOptions {
  /** Milliseconds to wait before attempts 2, 3, …; its length + 1 is the number of attempts. */
  schedule?: readonly number[];
  /** Random spread of each wait, as a fraction (0.2 waits 80–120 %). */
  jitter?: number;
  /** The longest `Retry-After` honoured, in milliseconds. */
  maxRetryAfterMs?: number;
}

/** One named example of a webhook's body. */
export interface WebhookExample extends Omit<ExampleObject, 'value'> {
  /** The body, as a plain object or as an instance of the payload class. */
  value: unknown;
}
