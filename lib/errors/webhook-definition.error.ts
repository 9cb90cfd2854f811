import { HookspecError } from './hookspec.error';

/** A decorator was used in a way that cannot describe a webhook (bad name, no payload, bad options). */
export class WebhookDefinitionError extends HookspecError {
  override name = 'WebhookDefinitionError';
}
