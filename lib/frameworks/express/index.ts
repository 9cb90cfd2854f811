/*
 * The `hookspec/express` entry: `webhookMiddleware`, a thin adapter over lib/receiver's core.
 */
export { webhookMiddleware } from './webhook-middleware';
export type { WebhookMiddleware, WebhookRequest } from './webhook-middleware';
export { captureRawBody } from './capture-raw-body';
export type { WebhookReceiverOptions, ReceivedWebhook, WebhookErrorBody } from '../../receiver';
export { webhookAdminRouter } from './admin-router';
export type { WebhookAdminRouterOptions } from './admin-router';
