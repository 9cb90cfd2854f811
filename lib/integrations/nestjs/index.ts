export { WebhookGuard } from './webhook.guard';
export { WebhookEvent, WebhookId } from './webhook-event.decorator';
export type { WebhookEventOptions } from './webhook-event.decorator';
export { WEBHOOK_GUARD_OPTIONS } from './webhook-guard-options';
export type { WebhookGuardOptions } from './webhook-guard-options';
