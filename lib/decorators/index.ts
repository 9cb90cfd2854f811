/*
 * The decorators users write: `@Webhook`, `@Payload`, `@WebhookProperty`. Each checks its arguments
 * (lib/options for option keys) and writes one record through lib/metadata; none reads another library.
 */
export { Webhook } from './webhook.decorator';
export { Payload } from './payload.decorator';
export { WebhookProperty } from './webhook-property.decorator';
export { WEBHOOK_NAME_PATTERN } from './webhook-name';
