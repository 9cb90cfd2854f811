import type { Readable } from 'node:stream';

/** The part of a response body that was kept. */
export interface CappedBody {
  bytes: Buffer;
  /** More bytes followed `maxBytes`; they were never read. */
  truncated: boolean;
}

/**
 * Reads at most `maxBytes` of `body`. On reaching the cap it destroys the stream, and with it the
 * socket (which is then not reused), so a 100 MB or endless response costs `maxBytes` of memory and
 * no more reading. The attempt's deadline destroys `body` when it fires (see `AttemptDeadline.cut`):
 * a receiver that drips one byte a second is cut off by it rather than by an idle timeout that each
 * byte would reset.
 */
export async function readCappedBody(body: Readable, maxBytes: number): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let kept = 0;
  // Leaving the loop early (break or throw) destroys the stream: that is the cut-off.
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const room = maxBytes - kept;
    if (bytes.length > room) {
      chunks.push(bytes.subarray(0, room));
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(bytes);
    kept += bytes.length;
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}
