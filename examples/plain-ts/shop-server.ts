import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { plainToInstance } from 'class-transformer';
import type { ClassConstructor } from 'class-transformer';
import { handleAdminRequest, WebhookValidationError } from 'hookspec';
import type { WebhookAdmin, WebhookClient } from 'hookspec';
import { readBody } from './read-body';
import { InventoryWebhooks, PaymentSuccess, StockChange, Subscription } from './webhooks';

/** The client the shop sends with: its catalog is the example's webhooks. */
export type ShopWebhookClient = WebhookClient<readonly [typeof Subscription, typeof InventoryWebhooks]>;

/** What the shop serves beside its own routes. */
export interface ShopOptions {
  /**
   * Mounts the management API at `/webhooks/…` for the accounts' own endpoints and messages, and the
   * portal at `/webhooks/portal` (the admin needs a `portalSecret`).
   */
  admin?: WebhookAdmin;
  /** The shop's authentication, for the example: bearer token → account id. */
  accounts?: Readonly<Record<string, string>>;
}

/** Which payload class each route turns its JSON body into, and sends. */
const routes: Record<string, ClassConstructor<Subscription | PaymentSuccess | StockChange>> = {
  '/subscriptions': Subscription,
  '/payments': PaymentSuccess,
  '/stock-changes': StockChange,
};

const ADMIN_PREFIX = '/webhooks';

/**
 * A small shop API whose routes each send one of the example's webhooks: POST a JSON body to
 * `/subscriptions`, `/payments` or `/stock-changes` and the shop answers 202 with the `webhook-id`
 * once the message is queued (an invalid body is 400 and nothing is sent). A request with an account's
 * bearer token sends for that account (`owner`): only its endpoints receive it. `GET /openapi.json`
 * serves the document that describes the webhooks, and with `admin` the accounts manage their endpoints
 * and read their messages under `/webhooks/…` (docs/managing.md), or in the portal page at
 * `/webhooks/portal#token=…` with a link from `admin.portalToken()` (docs/portal.md).
 */
export function createShopServer(client: ShopWebhookClient, document: object, options: ShopOptions = {}): Server {
  return createServer((req, res) => {
    const account = accountOf(req, options.accounts ?? {});
    const type = req.method === 'POST' ? routes[req.url ?? ''] : undefined;
    if (options.admin && (req.url === ADMIN_PREFIX || req.url?.startsWith(`${ADMIN_PREFIX}/`))) {
      serveAdmin(options.admin, account, req, res);
    } else if (req.method === 'GET' && req.url === '/openapi.json') {
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
          const { id, event: name, deliveries } = await client.send(event, account ? { owner: account } : {});
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

/** The account of the request's bearer token; undefined without a known one. */
function accountOf(req: IncomingMessage, accounts: Readonly<Record<string, string>>): string | undefined {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  return token !== undefined && Object.hasOwn(accounts, token) ? accounts[token] : undefined;
}

/**
 * The management API and its portal on a plain node:http server: the body is parsed here, the owner is
 * the token's account (never anything in the request); a request without a known account is left to
 * `handleAdminRequest` with its `authorization`: a portal token (`Bearer hsp_…`) acts for its owner,
 * anything else is answered 401. The portal's page itself needs no credentials.
 */
function serveAdmin(admin: WebhookAdmin, account: string | undefined, req: IncomingMessage, res: ServerResponse): void {
  readBody(req)
    .then(async (raw) => {
      const url = new URL(req.url ?? '/', 'http://shop.invalid');
      const text = raw.toString('utf8');
      const target = {
        method: req.method ?? 'GET',
        path: url.pathname.slice(ADMIN_PREFIX.length) || '/',
        query: Object.fromEntries(url.searchParams),
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      const response = await handleAdminRequest(
        admin,
        account === undefined
          ? { ...target, authorization: req.headers.authorization ?? '' }
          : { ...target, owner: account },
        { portal: true },
      );
      res.writeHead(response.status, response.headers);
      res.end(response.raw ?? (response.body === undefined ? undefined : JSON.stringify(response.body)));
    })
    .catch((error: unknown) => json(res, 400, { error: 'invalid-json', message: (error as Error).message }));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
