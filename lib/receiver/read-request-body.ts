import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream/promises';
import getRawBody from 'raw-body';

/**
 * Reads a request's whole body with `raw-body` (the reader body-parser uses): the declared
 * `content-length` is checked against `limit` before anything is read, and reading stops as soon as a
 * chunked body passes it. Resolves `undefined` when the body is over `limit`, once what is left of it has
 * been drained and dropped, as body-parser does: answered while the client is still sending, the 413
 * would be lost to a reset connection. Rejects when the stream fails, the client goes away, or the body
 * is shorter or longer than it declared.
 */
export async function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  try {
    return await getRawBody(req, { limit, length: req.headers['content-length'] });
  } catch (error) {
    if ((error as { type?: unknown }).type !== 'entity.too.large') throw error;
    req.resume();
    // A client that goes away while drained gets no answer anyway.
    await finished(req).catch(() => undefined);
    return undefined;
  }
}
