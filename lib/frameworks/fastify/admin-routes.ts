import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebhookAdmin } from '../../management/webhook-admin';
import {
  ADMIN_BODY_LIMIT,
  createAdminHttpHandler,
  payloadTooLarge,
  resolveAdminRouterOptions,
  type AdminResponse,
  type AdminRouterOptions,
} from '../../management/http';

/** `webhookAdminRoutes`'s options: those of every management router, with Fastify's request. */
export type WebhookAdminRoutesOptions = AdminRouterOptions<FastifyRequest>;

/**
 * The management API as a Fastify plugin: register it with the prefix it should live under, behind
 * nothing but the `authorize` it is given, which decides the owner of every request from the app's own
 * authentication (hooks such as `@fastify/jwt`'s run before it, so `request.user` is there).
 *
 * ```ts
 * app.register(webhookAdminRoutes(admin, { authorize: (request) => request.user?.accountId }), { prefix: '/webhooks' });
 * ```
 *
 * Its routes live in their own encapsulated context, which reads every body as bytes (1 MiB at most) and
 * parses the JSON itself; the rest of the app keeps its parsers. Errors are `application/problem+json`.
 *
 * @throws WebhookAdminError `invalid-option` when `authorize` is missing: the API never runs without it.
 */
export function webhookAdminRoutes(admin: WebhookAdmin, options: WebhookAdminRoutesOptions): FastifyPluginAsync {
  const resolved = resolveAdminRouterOptions<FastifyRequest>(
    admin,
    options,
    'webhookAdminRoutes(admin, options)',
    (error, request) =>
      request.log.error({ err: error }, 'hookspec: a management API request failed with an internal error'),
  );
  const handler = createAdminHttpHandler(admin, resolved);

  return async function hookspecWebhookAdmin(instance) {
    const prefix = instance.prefix;
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ADMIN_BODY_LIMIT }, (_request, body, done) =>
      done(null, body),
    );
    const serve = async (request: FastifyRequest, reply: FastifyReply) => {
      const url = request.url.startsWith(prefix) ? request.url.slice(prefix.length) : request.url;
      const response = await handler.handle({
        request,
        method: request.method,
        url,
        contentType: request.headers['content-type'],
        readBody: async () => {
          const body = request.body;
          return { kind: 'bytes', bytes: Buffer.isBuffer(body) || typeof body === 'string' ? body : '' };
        },
      });
      return send(reply, response);
    };
    const errorHandler = (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      // Rethrown errors go on to the app's own error handler.
      if (error.code !== 'FST_ERR_CTP_BODY_TOO_LARGE') throw error;
      return send(reply, payloadTooLarge());
    };
    for (const url of ['/', '/*']) instance.all(url, { errorHandler }, serve);
  };
}

function send(reply: FastifyReply, response: AdminResponse): FastifyReply {
  reply.code(response.status).headers(response.headers);
  // As bytes: a string would get Fastify's `; charset=utf-8` appended to the problem+json type.
  return response.body === undefined ? reply.send() : reply.send(Buffer.from(JSON.stringify(response.body)));
}
