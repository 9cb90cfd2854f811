import type { IncomingMessage } from 'node:http';
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
