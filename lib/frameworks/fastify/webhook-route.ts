import type { ClassConstructor } from 'class-transformer';
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { WebhookReceiverConfigError } from '../../errors';
import { bodyTooLarge, createWebhookReceiver, type WebhookReceiverOptions } from '../../receiver';
import { verifyingPreHandler, type FastifyWebhookRequest } from './webhook-pre-handler';

export interface WebhookRouteOptions<T = unknown> extends WebhookReceiverOptions<T> {
  /** The route's path, e.g. `/hooks/subscription`; under the `prefix` the plugin is registered with. */
  url: string;
  /** Runs once the request is verified (and validated, with `webhook`); answer 2xx to acknowledge it. */
  handler: (this: FastifyInstance, request: FastifyWebhookRequest<T>, reply: FastifyReply) => unknown;
}

/**
 * A Fastify plugin that serves one webhook: `POST url`, verified and typed before `handler` runs.
 *
 * ```ts
 * app.register(webhookRoute({ url: '/hooks/subscription', secret, webhook: Subscription,
 *   handler: async (request, reply) => { await save(request.webhook.payload); reply.code(204).send(); } }));
 * ```
 *
 * The route lives in its own encapsulated context, where every content type is read as a Buffer (up to
 * `limit`, then 413 `body-too-large`); the rest of the app keeps its JSON parser. Other statuses as
 * `webhookPreHandler` (with `seen`, a duplicate is acknowledged 200 `replayed` and `handler` does not run).
 * Errors thrown by `handler` reach the app's error handler as usual; with `seen`, the id of a request not
 * answered 2xx is then forgotten, so the sender's retry is processed.
 *
 * Several webhooks on one URL: `webhooks: [OrderCreated, OrderRefunded]` with `envelope: 'standard'`;
 * `request.webhook.event` is then the envelope's `type`, and `request.webhook.payload` an instance of
 * one of the classes (narrow it with `instanceof`).
 *
 * @throws WebhookSecretError when no key is given or one is malformed; WebhookReceiverConfigError
 * (`unknown-option`, `invalid-option`) for another bad option.
 */
export function webhookRoute<T extends object>(
  options: WebhookRouteOptions<T> & { webhook: ClassConstructor<T> },
): FastifyPluginAsync;
export function webhookRoute<const C extends readonly ClassConstructor<object>[]>(
  options: WebhookRouteOptions<InstanceType<C[number]>> & { webhooks: C },
): FastifyPluginAsync;
export function webhookRoute(options: WebhookRouteOptions): FastifyPluginAsync;
export function webhookRoute(options: WebhookRouteOptions): FastifyPluginAsync {
  const receiver = createWebhookReceiver(options, { where: 'webhookRoute(options)', extraKeys: ['url', 'handler'] });
  const { url, handler } = options;
  if (typeof url !== 'string' || !url.startsWith('/')) {
    throw new WebhookReceiverConfigError(
      'invalid-option',
      "webhookRoute(options): url must be a path such as '/hooks'.",
    );
  }
  if (typeof handler !== 'function') {
    throw new WebhookReceiverConfigError(
      'invalid-option',
      'webhookRoute(options): handler must be a function (request, reply) that acknowledges the webhook.',
    );
  }
  const preHandler = verifyingPreHandler(receiver);

  return async function hookspecWebhookRoute(instance) {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    if (!instance.hasRequestDecorator('webhook')) instance.decorateRequest('webhook', null);
    instance.route({
      method: 'POST',
      url,
      bodyLimit: receiver.limit,
      preHandler,
      errorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
        // Rethrown errors go on to the app's own error handler.
        if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
        const { status, body } = bodyTooLarge(receiver.limit);
        reply.code(status).send(body);
      },
      handler(request, reply) {
        return handler.call(this, request as FastifyWebhookRequest, reply);
      },
    });
  };
}
