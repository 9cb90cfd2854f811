/*
 * The `hookspec/fastify` entry: `webhookRoute` and `webhookPreHandler`, thin adapters over lib/receiver's core.
 */
export { webhookRoute } from './webhook-route';
export type { WebhookRouteOptions } from './webhook-route';
export { webhookPreHandler } from './webhook-pre-handler';
export type { FastifyWebhookRequest, WebhookPreHandlerOptions } from './webhook-pre-handler';
export type { WebhookReceiverOptions, ReceivedWebhook, WebhookErrorBody } from '../../receiver';
export { webhookAdminRoutes } from './admin-routes';
export type { WebhookAdminRoutesOptions } from './admin-routes';
