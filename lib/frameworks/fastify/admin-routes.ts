import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { WebhookAdmin } from '../../management/webhook-admin';
import {
  createAdminHttpHandler,
  discardNodeBody,
  readNodeBody,
  resolveAdminRouterOptions,
  responseBytes,
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
 * Its routes live in their own encapsulated context, whose content-type parser leaves the body unread:
 * the API reads it (1 MiB at most) only once `authorize` has accepted the request, and parses the JSON
 * itself. The rest of the app keeps its parsers. Errors are `application/problem+json`.
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
    // Every media type: a body the API refuses is answered 415 by the API, as in the other frameworks.
    instance.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    const serve = async (request: FastifyRequest, reply: FastifyReply) => {
      const url = request.url.startsWith(prefix) ? request.url.slice(prefix.length) : request.url;
      const response = await handler.handle({
        request,
        method: request.method,
        url,
        contentType: request.headers['content-type'],
        authorization: request.headers.authorization,
        readBody: () => readNodeBody(request.raw),
        discardBody: () => discardNodeBody(request.raw),
      });
      return send(reply, response);
    };
    for (const url of ['/', '/*']) instance.all(url, serve);
  };
}

function send(reply: FastifyReply, response: AdminResponse): FastifyReply {
  reply.code(response.status).headers(response.headers);
  // As bytes: a string would get Fastify's `; charset=utf-8` appended to the problem+json type.
  const bytes = responseBytes(response);
  return bytes === undefined ? reply.send() : reply.send(bytes);
}
