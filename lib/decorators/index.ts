export { Webhook } from './webhook.decorator';
export { Payload } from './payload.decorator';
export { WebhookProperty } from './webhook-property.decorator';
export { WEBHOOK_NAME_PATTERN } from './webhook-name';
