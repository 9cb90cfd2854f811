import type { ServerResponse } from 'node:http';
import { WebhookValidationError, WebhookVerificationError } from '../errors';
import type { ValidationIssue, VerificationFailure } from '../errors';

/**
 * The JSON body of every answer a receiver gives instead of the handler (a refusal, or the acknowledgement
 * of a duplicate): a stable `code`, never a secret or a signature.
 */
export interface WebhookErrorBody {
  readonly code: VerificationFailure | 'invalid-payload' | 'body-too-large';
  readonly message: string;
  /** With `invalid-payload`: every failing property path and the rules it broke. */
  readonly issues?: readonly ValidationIssue[];
}

/** An answer given instead of the handler's, a refusal or a duplicate's 200: the status and its JSON body. */
export interface WebhookFailure {
  readonly status: number;
  readonly body: WebhookErrorBody;
}

/**
 * The body of the 200 that answers a `webhook-id` already accepted: Standard Webhooks receivers acknowledge
 * duplicates (delivery is at-least-once), so that the sender stops retrying; the handler does not run again.
 */
export const DUPLICATE_ACKNOWLEDGED = {
  code: 'replayed',
  message: 'This webhook-id was already accepted; the duplicate is acknowledged and not processed again.',
} as const satisfies WebhookErrorBody;

// 401 says "not from your sender" (or not now); 400 says "from your sender, but not a payload I take";
// 500 says "this receiver is misconfigured", which the sender cannot fix but the retry may outlive.
// 200 acknowledges a duplicate: it was processed already, and a refusal would only be retried.
const STATUS: Readonly<Record<VerificationFailure, number>> = {
  'missing-header': 401,
  'invalid-timestamp': 401,
  'timestamp-too-old': 401,
  'timestamp-too-new': 401,
  'invalid-signature': 401,
  replayed: 200,
  'invalid-body': 400,
  'unexpected-type': 400,
  'raw-body-required': 500,
  'invalid-secret': 500,
};

/**
 * The answer to an error from verifying or building the payload (for `replayed`, the 200 that
 * acknowledges a duplicate); undefined for an unexpected error (a failing `seen` store, say), which the
 * framework's own error handling answers.
 */
export function describeFailure(error: unknown): WebhookFailure | undefined {
  if (error instanceof WebhookValidationError) {
    const reasons = error.issues
      .map((issue) => `${issue.path || '(the payload)'}: ${Object.values(issue.constraints).join('; ')}`)
      .join(' | ');
    return {
      status: 400,
      body: {
        code: 'invalid-payload',
        message: `The webhook payload is not a valid ${error.payloadName}: ${reasons}`,
        issues: error.issues,
      },
    };
  }
  if (error instanceof WebhookVerificationError) {
    if (error.code === 'replayed') return { status: STATUS.replayed, body: DUPLICATE_ACKNOWLEDGED };
    return { status: STATUS[error.code] ?? 400, body: { code: error.code, message: error.message } };
  }
  return undefined;
}

export function bodyTooLarge(limit: number): WebhookFailure {
  return {
    status: 413,
    body: { code: 'body-too-large', message: `The body is larger than this webhook route's limit of ${limit} bytes.` },
  };
}

export function rawBodyRequired(message: string): WebhookFailure {
  return { status: 500, body: { code: 'raw-body-required', message } };
}

/** Sends a JSON answer on a Node response (Express, Connect, `hookspec listen`). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}
