import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { flattenHeaders } from './attempt-checks';
import type { Abortable } from './attempt-deadline';
import type { TransportResponse } from './transport';

/** Why an exchange cuts its connection at the cap (never shown: the answer read so far is kept). */
const CAPPED = new Error('response body over maxResponseBytes');

/**
 * One request through an undici dispatcher, read by this handler rather than by `request()`'s
 * Readable: the body's chunks are kept as they arrive, counted against `maxBytes`, and at the cap the
 * answer is settled and the connection cut (a 100 MB or endless body costs the cap and no more
 * reading). No stream, no async iterator and no promise per chunk: without them an attempt costs about
 * what undici's own `request()` does, where it cost half as much again (measured, docs/benchmarks.md).
 * The attempt's deadline `destroy()`s it, which settles it at once and aborts the request (at once when
 * it is on a connection, else as soon as undici hands it one).
 */
export class UndiciExchange implements Dispatcher.DispatchHandler, Abortable {
  /** Settles with the answer, or rejects with undici's error or the deadline's reason. */
  readonly response: Promise<TransportResponse>;
  private resolve!: (response: TransportResponse) => void;
  private reject!: (error: unknown) => void;
  private settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  private reason: Error | undefined;
  private status = 0;
  private headers: IncomingHttpHeaders | undefined;
  private chunks: Buffer[] | undefined;
  private kept = 0;

  /**
   * `started` is the attempt's start (`performance.now()`), for `durationMs`; `onTruncated` runs when
   * the cap cut the connection.
   */
  constructor(
    private readonly maxBytes: number,
    private readonly started: number,
    private readonly onTruncated: (() => void) | undefined,
  ) {
    this.response = new Promise<TransportResponse>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** The deadline fired or the caller gave up: fail now, and abort the request where it is. */
  destroy(error: Error): void {
    if (this.settled) return;
    this.reason = error;
    this.controller?.abort(error);
    this.fail(error);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.reason) controller.abort(this.reason);
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // A 1xx is informational: the answer follows it.
    if (statusCode < 200) return;
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    const room = this.maxBytes - this.kept;
    const chunks = (this.chunks ??= []);
    if (chunk.length <= room) {
      chunks.push(chunk);
      this.kept += chunk.length;
      return;
    }
    chunks.push(chunk.subarray(0, room));
    this.finish(true);
    // The rest is never read: the connection goes with it, and so may the pool (see UndiciPools.retire).
    controller.abort(CAPPED);
    this.onTruncated?.();
  }

  onResponseEnd(): void {
    this.finish(false);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.fail(error);
  }

  private finish(truncated: boolean): void {
    if (this.settled) return;
    this.settled = true;
    const { chunks } = this;
    this.resolve({
      status: this.status,
      headers: flatHeaders(this.headers ?? {}),
      body: chunks === undefined ? '' : (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8'),
      truncated,
      durationMs: performance.now() - this.started,
    });
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }
}

/**
 * The response headers as `TransportResponse` has them. undici's parsed object already has lower-case
 * names, fresh for this response: it is kept as it is unless a header came more than once (an array).
 */
function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  for (const name in headers) {
    if (typeof headers[name] !== 'string') return flattenHeaders(headers);
  }
  return headers as Record<string, string>;
}
