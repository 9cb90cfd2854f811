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
