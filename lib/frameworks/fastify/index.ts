export { webhookRoute } from './webhook-route';
export type { WebhookRouteOptions } from './webhook-route';
export { webhookPreHandler } from './webhook-pre-handler';
export type { FastifyWebhookRequest } from './webhook-pre-handler';
