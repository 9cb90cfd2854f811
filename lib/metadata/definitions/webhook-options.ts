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
}

/** One named example of a webhook's body. */
export interface WebhookExample extends Omit<ExampleObject, 'value'> {
  /** The body, as a plain object or as an instance of the payload class. */
  value: unknown;
}
