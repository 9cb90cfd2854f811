import { WebhookDefinitionError } from '../errors';

/** The pattern every webhook name must match: `new-subscription`, `payment.succeeded`, `stock_changed`. */
export const WEBHOOK_NAME_PATTERN = /^[a-zA-Z0-9._-]+$/;

export function checkWebhookName(name: unknown, where: string): asserts name is string {
  if (typeof name !== 'string' || !WEBHOOK_NAME_PATTERN.test(name)) {
    throw new WebhookDefinitionError(
      'invalid-webhook-name',
      `${where}: webhook name ${JSON.stringify(name)} is invalid. A name is one or more letters, digits, '.', '_' or '-' ` +
        `(pattern ${WEBHOOK_NAME_PATTERN.source}), e.g. 'new-subscription' or 'payment.succeeded'.`,
    );
  }
}
