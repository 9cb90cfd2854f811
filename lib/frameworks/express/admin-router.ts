import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Router } from 'express';
import type { WebhookAdmin } from '../../management/webhook-admin';
import {
  createAdminHttpHandler,
  discardNodeBody,
  readNodeBody,
  resolveAdminRouterOptions,
  writeAdminResponse,
  type AdminRouterOptions,
} from '../../management/http';

/** `webhookAdminRouter`'s options: those of every management router, with Express's request. */
export type WebhookAdminRouterOptions = AdminRouterOptions<Request>;

/**
 * The management API as an Express router: mount it where it should live, behind nothing but the
 * `authorize` it is given, which decides the owner of every request from the app's own authentication.
 *
 * ```ts
 * app.use('/webhooks', webhookAdminRouter(admin, { authorize: (req) => req.user?.accountId }));
 * ```
 *
 * It reads JSON bodies itself (1 MiB at most), so it works with or without `express.json()` before it
 * (whose limit, 100 kB by default, then applies first). Errors are `application/problem+json`.
 *
 * @throws WebhookAdminError `invalid-option` when `authorize` is missing: the API never runs without it.
 */
export function webhookAdminRouter(admin: WebhookAdmin, options: WebhookAdminRouterOptions): Router {
  const resolved = resolveAdminRouterOptions<Request>(
    admin,
    options,
    'webhookAdminRouter(admin, options)',
    reportToConsole,
  );
  const handler = createAdminHttpHandler(admin, resolved);
  // Required here, not imported at the top: `hookspec/express` must load without express for its receivers.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Router: createRouter } = require('express') as typeof import('express');
  const router = createRouter();
  router.use((req: Request, res: ServerResponse, next: (error?: unknown) => void) => {
    handler
      .handle({
        request: req,
        method: req.method,
        // Relative to the mount point: Express strips the path the router is mounted at from req.url.
        url: req.url,
        contentType: req.headers['content-type'],
        authorization: req.headers.authorization,
        readBody: () => readNodeBody(req as IncomingMessage),
        discardBody: () => discardNodeBody(req as IncomingMessage),
      })
      .then((response) => writeAdminResponse(res, response), next);
  });
  return router;
}

function reportToConsole(error: unknown, req: Request): void {
  console.error(`hookspec: ${req.method} ${req.originalUrl.split('?')[0]} failed with an internal error:`, error);
}
