import { HookspecError } from './hookspec.error';

/** The codes a `WebhookDefinitionError` is thrown with. */
export type WebhookDefinitionErrorCode =
  | 'unknown-option'
  | 'invalid-option'
  | 'invalid-webhook-name'
  | 'duplicate-webhook-name'
  | 'invalid-target'
  | 'invalid-payload'
  | 'missing-payload'
  | 'multiple-payloads'
  | 'payload-without-webhook'
  | 'not-a-webhook'
  | 'invalid-type';

/** A decorator was used in a way that cannot describe a webhook (bad name, no payload, bad options). */
export class WebhookDefinitionError extends HookspecError<WebhookDefinitionErrorCode> {
  override name = 'WebhookDefinitionError';
}
