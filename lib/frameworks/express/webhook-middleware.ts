import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClassConstructor } from 'class-transformer';
import type { Request } from 'express';
import {
  bodyTooLarge,
  createWebhookReceiver,
  describeFailure,
  rawBodyRequired,
  readRequestBody,
  sendJson,
  type ReceivedWebhook,
  type WebhookFailure,
  type WebhookReceiverOptions,
} from '../../receiver';
import { locateRawBody } from './locate-raw-body';

/**
 * A request that passed `webhookMiddleware`: `req.webhook.payload` is the instance of the payload class,
 * `req.webhook.event` the webhook's name. Express's types cannot know that a middleware ran before a
 * handler, so the handler casts:
 *
 * ```ts
 * app.post('/hooks/subscription', webhookMiddleware({ secret, webhook: Subscription }), (req, res) => {
 *   const { id, payload } = (req as WebhookRequest<Subscription>).webhook;
 *   res.sendStatus(204);
 * });
 * ```
 */
export type WebhookRequest<T = unknown, R extends IncomingMessage = Request> = R & {
  webhook: ReceivedWebhook<T>;
};

/** A Connect-style middleware: Express runs it, and so can Connect or a plain `node:http` server. */
export type WebhookMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const CONSUMED =
  'Another body parser (express.json(), most likely) read this request before webhookMiddleware, so the signed ' +
  'bytes are gone and the signature cannot be checked. Mount the webhook route before app.use(express.json()), ' +
  "or let the parser keep the bytes: app.use(express.json({ verify: captureRawBody })) with hookspec's captureRawBody.";

/**
 * Express middleware that verifies a Standard Webhooks request and sets `req.webhook = { id, timestamp,
 * event, payload }` before calling the next handler. It reads the raw body from the request itself (with
 * `raw-body`), so it works whatever parsers the rest of the app uses; when a parser ran first, it uses the
 * bytes that parser kept (`captureRawBody`, `express.raw()`).
 *
 * Refusals are JSON `{ code, message }`, and never contain a secret or a signature: 401 when the request
 * is not from the sender (`invalid-signature`, `missing-header`, `invalid-timestamp`, `timestamp-too-old`,
 * `timestamp-too-new`); 400 when it is, but the payload is not accepted (`invalid-body`, `unexpected-type`,
 * and `invalid-payload` with `issues`); 413 `body-too-large`; 500 `raw-body-required` when another parser
 * consumed the body without keeping it. Any other error (a failing `seen` store) goes to `next(error)`.
 *
 * With `seen`, a `webhook-id` already accepted is answered 200 `{ code: 'replayed', message }` (a
 * duplicate, acknowledged so the sender stops retrying) and the handler does not run. The id is claimed
 * when the request is verified and forgotten again if the request then fails: a 400, a handler that
 * throws or calls `next(error)`, any final status but 2xx. The sender's retry is then processed.
 *
 * @throws WebhookSecretError when no key is given or one is malformed; WebhookReceiverConfigError
 * (`unknown-option`, `invalid-option`) for another bad option.
 */
export function webhookMiddleware<T extends object>(
  options: WebhookReceiverOptions<T> & { webhook: ClassConstructor<T> },
): WebhookMiddleware;
export function webhookMiddleware(options: WebhookReceiverOptions): WebhookMiddleware;
export function webhookMiddleware(options: WebhookReceiverOptions): WebhookMiddleware {
  const receiver = createWebhookReceiver(options, { where: 'webhookMiddleware(options)' });

  /** Answers a refusal itself and resolves undefined, or resolves what `next` must be called with. */
  async function verify(req: IncomingMessage, res: ServerResponse): Promise<{ error?: unknown } | undefined> {
    const source = locateRawBody(req);
    if (source.kind === 'consumed') return answer(res, rawBodyRequired(CONSUMED));
    let rawBody: Buffer | string | undefined;
    if (source.kind === 'bytes') {
      rawBody = Buffer.byteLength(source.body) > receiver.limit ? undefined : source.body;
    } else {
      try {
        rawBody = await readRequestBody(req, receiver.limit);
      } catch (error) {
        // The client went away mid-body: there is nobody to answer.
        return req.destroyed ? undefined : { error };
      }
    }
    if (rawBody === undefined) return answer(res, bodyTooLarge(receiver.limit));
    try {
      (req as WebhookRequest).webhook = await receiver.receive(rawBody, req.headers, res);
      return {};
    } catch (error) {
      const failure = describeFailure(error);
      return failure ? answer(res, failure) : { error };
    }
  }

  return function hookspecWebhook(req, res, next) {
    // `next` runs outside the promise chain's error path, so a throwing handler is never reported twice.
    verify(req, res).then(
      (pass) => pass && next(pass.error),
      (error: unknown) => next(error),
    );
  };
}

function answer(res: ServerResponse, { status, body }: WebhookFailure): undefined {
  sendJson(res, status, body);
  return undefined;
}
