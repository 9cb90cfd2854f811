import { generateSecret, sign, WebhookVerificationError } from 'hookspec';
import type { VerificationFailure } from 'hookspec';
import { expect } from 'vitest';

/** A fixed clock, passed as the `now` option: no test sleeps or depends on the machine's time. */
export const NOW_SECONDS = 1_767_225_600; // 2026-01-01T00:00:00Z
export const NOW = NOW_SECONDS * 1000;

export const SECRET = generateSecret();

export interface SignedRequest {
  readonly id: string;
  readonly timestamp: number;
  readonly body: string | Uint8Array;
  readonly signature: string;
  readonly headers: Record<string, string>;
}

/** The body `signedRequest` signs unless told otherwise, as `verifyWebhook` returns it. */
export const DEFAULT_BODY = { type: 'invoice.paid', amount: 4200 };

/** A request as a Standard Webhooks sender makes it: signed with `keys` (default {@link SECRET}), stamped {@link NOW_SECONDS}. */
export function signedRequest(
  options: { body?: string | Uint8Array; id?: string; timestamp?: number; keys?: string | readonly string[] } = {},
): SignedRequest {
  const {
    body = JSON.stringify(DEFAULT_BODY),
    id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    timestamp = NOW_SECONDS,
    keys = SECRET,
  } = options;
  const signature = sign({ id, timestamp, body }, keys);
  return {
    id,
    timestamp,
    body,
    signature,
    headers: { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature },
  };
}

/** Runs `action`, expects it to throw a WebhookVerificationError with `code`, and returns the error. */
export function verificationError(action: () => unknown, code?: VerificationFailure): WebhookVerificationError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(WebhookVerificationError);
  const error = thrown as WebhookVerificationError;
  if (code !== undefined) expect(error.code).toBe(code);
  return error;
}

/** Awaits `promise`, expects it to reject with a WebhookVerificationError with `code`, and returns the error. */
export async function verificationRejection(
  promise: Promise<unknown>,
  code?: VerificationFailure,
): Promise<WebhookVerificationError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(WebhookVerificationError);
  const error = thrown as WebhookVerificationError;
  if (code !== undefined) expect(error.code).toBe(code);
  return error;
}
