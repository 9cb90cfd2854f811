import type { IncomingMessage } from 'node:http';

/** Where a request's raw body is: still in the stream, kept by a parser, or gone. */
export type RawBodySource =
  | { readonly kind: 'stream' }
  | { readonly kind: 'bytes'; readonly body: Buffer | string }
  | { readonly kind: 'consumed' };

/**
 * The stream when nothing has read it yet; else what a parser kept: `req.rawBody` (`captureRawBody`,
 * NestJS's `rawBody: true`), or `req.body` as a Buffer (`express.raw()`) or a string (`express.text()`).
 */
export function locateRawBody(req: IncomingMessage): RawBodySource {
  if (!req.readableEnded && req.readableFlowing === null) return { kind: 'stream' };
  const { rawBody, body } = req as IncomingMessage & { rawBody?: unknown; body?: unknown };
  for (const kept of [rawBody, body]) {
    if (Buffer.isBuffer(kept) || typeof kept === 'string') return { kind: 'bytes', body: kept };
  }
  return { kind: 'consumed' };
}

/** The declared `content-length`, when there is a valid one. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

/**
 * Reads the whole body, or resolves `undefined` as soon as it exceeds `limit` bytes; the rest is then
 * left for Node to discard. Rejects if the stream fails or the client goes away first.
 */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const onClose = () => onError(new Error('The client closed the connection before the body was complete.'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
