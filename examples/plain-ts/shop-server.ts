import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { plainToInstance } from 'class-transformer';
import type { ClassConstructor } from 'class-transformer';
import { WebhookValidationError } from 'hookspec';
import type { WebhookClient } from 'hookspec';
import { readBody } from './read-body';
import { InventoryWebhooks, PaymentSuccess, StockChange, Subscription } from './webhooks';

/** The client the shop sends with: its catalog is the example's webhooks. */
export type ShopWebhookClient = WebhookClient<readonly [typeof Subscription, typeof InventoryWebhooks]>;

/** Which payload class each route turns its JSON body into, and sends. */
const routes: Record<string, ClassConstructor<Subscription | PaymentSuccess | StockChange>> = {
  '/subscriptions': Subscription,
  '/payments': PaymentSuccess,
  '/stock-changes': StockChange,
};

/**
 * A small shop API whose routes each send one of the example's webhooks: POST a JSON body to
 * `/subscriptions`, `/payments` or `/stock-changes` and the shop answers 202 with the `webhook-id`
 * once the message is queued (an invalid body is 400 and nothing is sent). `GET /openapi.json` serves
 * the document that describes the webhooks.
 */
export function createShopServer(client: ShopWebhookClient, document: object): Server {
  return createServer((req, res) => {
    const type = req.method === 'POST' ? routes[req.url ?? ''] : undefined;
    if (req.method === 'GET' && req.url === '/openapi.json') {
      json(res, 200, document);
    } else if (!type) {
      json(res, 404, {
        error: 'not-found',
        routes: ['GET /openapi.json', ...Object.keys(routes).map((r) => `POST ${r}`)],
      });
    } else {
      readBody(req)
        .then(async (raw) => {
          const event = plainToInstance(type, JSON.parse(raw.toString('utf8')) as object);
          const { id, event: name, deliveries } = await client.send(event);
          json(res, 202, { id, event: name, deliveries: deliveries.length });
        })
        .catch((error: unknown) => {
          if (error instanceof WebhookValidationError) json(res, 400, { error: error.code, issues: error.issues });
          else if (error instanceof SyntaxError) json(res, 400, { error: 'invalid-json', message: error.message });
          else json(res, 500, { error: 'internal' });
        });
    }
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
