import type { ClassConstructor } from 'class-transformer';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import {
  bodyTooLarge,
  createWebhookReceiver,
  describeFailure,
  rawBodyRequired,
  type ReceivedWebhook,
  type WebhookReceiver,
  type WebhookReceiverOptions,
} from '../../receiver';

/**
 * A request that passed verification: `request.webhook.payload` is the instance of the payload class,
 * `request.webhook.event` the webhook's name, and `request.body` the raw bytes it was read from.
 * `webhookRoute` types its handler's request with it.
 */
export type FastifyWebhookRequest<T = unknown> = FastifyRequest<{ Body: Buffer }> & { webhook: ReceivedWebhook<T> };

const PARSED =
  "request.body was parsed (by Fastify's JSON parser, most likely) before webhookPreHandler, so the signed " +
  "bytes are gone and the signature cannot be checked. Register the route with hookspec's webhookRoute(), which " +
  'reads its own body as a Buffer; or, in the plugin that declares this route, add instance.addContentTypeParser(' +
  "'application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body)).";

/**
 * A Fastify `preHandler` hook that verifies a Standard Webhooks request and sets `request.webhook = { id,
 * timestamp, event, payload }`. It needs the raw body: `request.body` as a Buffer or string (a `parseAs: 'buffer'`
 * content-type parser in the route's plugin) or `request.rawBody` (fastify-raw-body); `webhookRoute` sets
 * all of that up. Refusals and status codes are those of `webhookMiddleware`: 401 not from the sender,
 * 400 an unaccepted payload (`issues` with `invalid-payload`), 413 `body-too-large`, 500
 * `raw-body-required`; any other error is thrown to Fastify's error handler. With `seen`, a repeated
 * `webhook-id` is acknowledged 200 `replayed` without running the handler, and the id of a request that
 * does not end in a 2xx (an invalid payload, a handler that throws) is forgotten, so the retry is processed.
 *
 * @throws WebhookSecretError when no key is given or one is malformed; WebhookReceiverConfigError
 * (`unknown-option`, `invalid-option`) for another bad option.
 */
export function webhookPreHandler<T extends object>(
  options: WebhookReceiverOptions<T> & { webhook: ClassConstructor<T> },
): preHandlerAsyncHookHandler;
export function webhookPreHandler(options: WebhookReceiverOptions): preHandlerAsyncHookHandler;
export function webhookPreHandler(options: WebhookReceiverOptions): preHandlerAsyncHookHandler {
  return verifyingPreHandler(createWebhookReceiver(options, { where: 'webhookPreHandler(options)' }));
}

/** The hook around an already checked receiver, for `webhookRoute` too. */
export function verifyingPreHandler(receiver: WebhookReceiver): preHandlerAsyncHookHandler {
  return async function verifyWebhookRequest(request: FastifyRequest, reply: FastifyReply) {
    const rawBody = rawBodyOf(request);
    const failure =
      rawBody === undefined
        ? rawBodyRequired(PARSED)
        : Buffer.byteLength(rawBody) > receiver.limit
          ? bodyTooLarge(receiver.limit)
          : await receive(receiver, rawBody, request, reply);
    if (failure === undefined) return;
    return reply.code(failure.status).send(failure.body);
  };
}

async function receive(
  receiver: WebhookReceiver,
  rawBody: Buffer | string,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  try {
    // The raw response's status is the one Fastify sent, whoever answered (the handler, an error handler).
    (request as FastifyWebhookRequest).webhook = await receiver.receive(rawBody, request.headers, reply.raw);
    return undefined;
  } catch (error) {
    const failure = describeFailure(error);
    if (failure === undefined) throw error;
    return failure;
  }
}

function rawBodyOf(request: FastifyRequest): Buffer | string | undefined {
  const { body, rawBody } = request as FastifyRequest & { rawBody?: unknown };
  for (const kept of [body, rawBody]) {
    if (Buffer.isBuffer(kept) || typeof kept === 'string') return kept;
  }
  // Fastify skips parsing a request without a body; that empty body is what was signed, if anything.
  return body === undefined ? '' : undefined;
}

/** The options of `webhookPreHandler`: those of every receiver. */
export type WebhookPreHandlerOptions<T = unknown> = WebhookReceiverOptions<T>;
