import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream/promises';
import { readRequestBody } from '../../receiver';
import type { AdminBody } from './admin-http-handler';
import { ADMIN_BODY_LIMIT } from './admin-http-handler';

/**
 * A Node request's body, wherever the app left it: still in the stream (read here, up to
 * ADMIN_BODY_LIMIT), kept as bytes by a parser (`req.rawBody`, `express.raw()`), or already parsed as JSON
 * by `express.json()` or Nest's body parser (`req.body`), whose own limit then applied.
 */
export async function readNodeBody(req: IncomingMessage): Promise<AdminBody> {
  if (!req.readableEnded && req.readableFlowing === null) {
    const bytes = await readRequestBody(req, ADMIN_BODY_LIMIT);
    return bytes === undefined ? { kind: 'too-large' } : { kind: 'bytes', bytes };
  }
  const { rawBody, body } = req as IncomingMessage & { rawBody?: unknown; body?: unknown };
  for (const kept of [rawBody, body]) {
    if (Buffer.isBuffer(kept) || typeof kept === 'string') {
      return Buffer.byteLength(kept) > ADMIN_BODY_LIMIT ? { kind: 'too-large' } : { kind: 'bytes', bytes: kept };
    }
  }
  return { kind: 'parsed', value: body };
}

/**
 * Reads and drops a body that will not be read (the request was refused before it, by `authorize`), then
 * resolves: answered while the client is still sending, the answer could be lost to a reset connection,
 * and a keep-alive connection with a body left in it would never be idle again.
 */
export async function discardNodeBody(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.readableFlowing !== null) return;
  req.resume();
  // A client that goes away meanwhile gets no answer anyway.
  await finished(req).catch(() => undefined);
}
