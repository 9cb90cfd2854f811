import type { IncomingMessage } from 'node:http';
import getRawBody from 'raw-body';

/**
 * Reads a request's whole body with `raw-body` (the reader body-parser uses): the declared
 * `content-length` is checked against `limit` before anything is read, and reading stops as soon as a
 * chunked body passes it. Resolves `undefined` when the body is over `limit`; what is left of it is then
 * drained and dropped, as body-parser does, so that the answer reaches a client still sending. Rejects when
 * the stream fails, the client goes away, or the body is shorter or longer than it declared.
 */
export async function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  try {
    return await getRawBody(req, { limit, length: req.headers['content-length'] });
  } catch (error) {
    if ((error as { type?: unknown }).type !== 'entity.too.large') throw error;
    req.resume();
    return undefined;
  }
}
