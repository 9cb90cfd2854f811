import type { WebhookOptions } from './webhook-options';

/** A webhook with its payload class resolved: what the document builder and the client work from. */
export interface WebhookDefinition {
  readonly name: string;
  readonly options: Readonly<WebhookOptions>;
  /** The class whose instances are sent. */
  readonly payload: Function;
  /** The class that carries `@Webhook`: the payload (class style) or the catalog (method style). */
  readonly target: Function;
  /** The decorated method, for method-style webhooks. */
  readonly methodName?: string;
  /** Where it was declared, for messages: `Subscription` or `BillingWebhooks.paymentSuccess`. */
  readonly declaredAt: string;
}
