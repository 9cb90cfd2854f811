import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { ClassConstructor } from 'class-transformer';
import { HookspecError, parseWebhookMessage, WebhookVerificationError } from 'hookspec';
import { readBody } from './read-body';
import { PaymentSuccess, StockChange, Subscription } from './webhooks';

/** A verified, typed event as the subscriber's handler sees it. */
export interface ReceivedEvent {
  readonly path: string;
  readonly id: string;
  readonly event: Subscription | PaymentSuccess | StockChange;
}

/** One path per webhook, as a subscriber configures its endpoints: the path says which class to parse. */
export const subscriberPaths: Record<string, { readonly webhook: string; readonly type: ClassConstructor<object> }> = {
  '/hooks/subscriptions': { webhook: 'new-subscription', type: Subscription },
  '/hooks/payments': { webhook: 'payment-success', type: PaymentSuccess },
  '/hooks/stock': { webhook: 'stock-changed', type: StockChange },
};

/**
 * The other side: a subscriber that verifies every request's signature and timestamp (with one secret,
 * or each path's own), turns the body
 * into a typed, validated instance, and hands it to `onEvent`. A bad signature is 401, an invalid body
 * 400; the handler's own answer decides the rest (true → 204, false → 503 so the sender retries).
 */
export function createSubscriber(
  secret: string | ((path: string) => string | undefined),
  onEvent: (received: ReceivedEvent) => boolean,
): Server {
  return createServer((req, res) => {
    const route = subscriberPaths[req.url ?? ''];
    // One secret for every path, or each path's own (each endpoint registered through the API has its own).
    const key = typeof secret === 'string' ? secret : secret(req.url ?? '');
    if (req.method !== 'POST' || !route || key === undefined) {
      res.writeHead(404).end();
      return;
    }
    readBody(req)
      .then(async (raw) => {
        const { id, payload } = await parseWebhookMessage(route.type, raw, req.headers, key);
        const accepted = onEvent({ path: req.url as string, id, event: payload as ReceivedEvent['event'] });
        res.writeHead(accepted ? 204 : 503, accepted ? {} : { 'retry-after': '1' }).end();
      })
      .catch((error: unknown) => {
        const status = error instanceof WebhookVerificationError ? 401 : 400;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: error instanceof HookspecError ? error.code : 'invalid-request' }));
      });
  });
}
