import { WebhookDefinitionError } from '../errors';
import { WEBHOOK_NAME_PATTERN } from '../metadata/webhook-name-pattern';

export { WEBHOOK_NAME_PATTERN };

export function checkWebhookName(name: unknown, where: string): asserts name is string {
  if (typeof name !== 'string' || !WEBHOOK_NAME_PATTERN.test(name)) {
    throw new WebhookDefinitionError(
      'invalid-webhook-name',
      `${where}: webhook name ${JSON.stringify(name)} is invalid. A name is one or more letters, digits, '.', '_' or '-' ` +
        `(pattern ${WEBHOOK_NAME_PATTERN.source}), e.g. 'new-subscription' or 'payment.succeeded'.`,
    );
  }
}
