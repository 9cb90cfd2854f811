import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A `verify` function for Express's body parsers that keeps the bytes they read as `req.rawBody`, so
 * `webhookMiddleware` can verify a route whose body `express.json()` has already parsed:
 * `app.use(express.json({ verify: captureRawBody }))`. The copy costs one Buffer per request.
 */
export function captureRawBody(req: IncomingMessage, _res: ServerResponse, buffer: Buffer): void {
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = buffer;
}
