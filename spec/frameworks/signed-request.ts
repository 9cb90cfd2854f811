import { MemorySeenStore } from 'hookspec';
import type { SignedRequest } from '../support/standard-webhooks-request';
export { signWithStandardWebhooks } from '../support/standard-webhooks-request';
export type { SignedRequest } from '../support/standard-webhooks-request';

export interface PostResult {
  readonly status: number;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

/** POSTs with fetch and reads the whole answer. */
export async function post(url: string, request: Pick<SignedRequest, 'headers' | 'body'>): Promise<PostResult> {
  return read(await fetch(url, { method: 'POST', headers: request.headers, body: request.body }));
}

async function read(response: Response): Promise<PostResult> {
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

/** POSTs the body as a stream in two chunks, so no content-length is declared (chunked encoding). */
export async function postChunked(url: string, request: Pick<SignedRequest, 'headers' | 'body'>): Promise<PostResult> {
  const bytes = Buffer.from(request.body);
  const half = Math.ceil(bytes.length / 2);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.subarray(0, half));
      controller.enqueue(bytes.subarray(half));
      controller.close();
    },
  });
  const init = { method: 'POST', headers: request.headers, body, duplex: 'half' } as RequestInit;
  return read(await fetch(url, init));
}

/** The subscription payload as it travels, and the same with a field that breaks the class's rules. */
export const SUBSCRIPTION_JSON = { username: 'ada', monthly_fee: 9.99, start_date: '2026-01-01T00:00:00.000Z' };
export const INVALID_SUBSCRIPTION_JSON = { username: 'ada', monthly_fee: -1, start_date: 'not a date' };

/** A `MemorySeenStore` that records the ids it was asked to forget. */
export class SpySeenStore extends MemorySeenStore {
  readonly forgotten: string[] = [];

  override forget(id: string): void {
    this.forgotten.push(id);
    super.forget(id);
  }
}
