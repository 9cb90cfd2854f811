import type { Hmac } from 'node:crypto';
import { WebhookMessageError } from '../errors';
import type { WebhookMessageErrorCode } from '../errors';

/** What a Standard Webhooks signature covers: the three parts of `${id}.${timestamp}.${body}`. */
export interface WebhookMessage {
  /**
   * The `webhook-id` header: unique per message, the same on every retry. 1-256 visible ASCII
   * characters without "." (see `findMessageProblem`).
   */
  readonly id: string;
  /** The `webhook-timestamp` header: Unix seconds of this attempt, or a Date (rounded down to the second). */
  readonly timestamp: number | Date;
  /** The request body exactly as sent; a string is signed as its UTF-8 bytes. */
  readonly body: string | Uint8Array;
}

/** Why a message cannot be signed, from `findMessageProblem`. */
export interface MessageProblem {
  /** `invalid-message-id`, `invalid-timestamp` or `invalid-body`. */
  readonly code: WebhookMessageErrorCode;
  /** A sentence naming the field, the rule it breaks and how to fix it. */
  readonly reason: string;
}

/** Longest accepted `webhook-id`, as in Svix; ids are headers and idempotency keys, not payloads. */
export const MAX_MESSAGE_ID_LENGTH = 256;

const MESSAGE_ID_RULE =
  `1 to ${MAX_MESSAGE_ID_LENGTH} visible ASCII characters without "." ` +
  '(for example msg_2KWPBgLlAfxdpx2AI54pPJ85f4W or a UUID)';

/**
 * Checks a message against the rules signing relies on, without throwing: the receiver reports the
 * problem its own way, the sender throws it.
 *
 * - `id`: 1-256 characters from "!" to "~" except ".". The signed content is `${id}.${timestamp}.${body}`,
 *   so a "." in the id would let bytes move between id, timestamp and body under one signature; the
 *   Standard Webhooks spec says ids must not contain one. Spaces and control characters are refused
 *   because the id travels as an HTTP header, where they are trimmed or forbidden.
 * - `timestamp`: a non-negative safe integer of seconds, or a valid Date not before 1970.
 * - `body`: a string or bytes.
 *
 * @returns the first problem found, or `undefined` when the message can be signed.
 */
export function findMessageProblem(message: WebhookMessage): MessageProblem | undefined {
  const { id, timestamp, body } = message;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_MESSAGE_ID_LENGTH) {
    const got =
      typeof id !== 'string' ? `got ${typeof id}` : id.length === 0 ? 'got an empty string' : `got ${id.length}`;
    return { code: 'invalid-message-id', reason: `message.id must be ${MESSAGE_ID_RULE}; ${got}.` };
  }
  for (let index = 0; index < id.length; index++) {
    const code = id.charCodeAt(index);
    if (code < 0x21 || code > 0x7e || code === 0x2e) {
      return {
        code: 'invalid-message-id',
        reason:
          `message.id must be ${MESSAGE_ID_RULE}; it has ${describeCharacter(code)} at index ${index}. ` +
          'A "." would make the signed content `${id}.${timestamp}.${body}` ambiguous.',
      };
    }
  }
  if (unixSeconds(timestamp) === undefined) {
    return {
      code: 'invalid-timestamp',
      reason:
        'message.timestamp must be Unix seconds as a non-negative integer, or a valid Date not before 1970; ' +
        `got ${timestamp instanceof Date ? 'an invalid or pre-1970 Date' : describeNumber(timestamp)}.`,
    };
  }
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    return { code: 'invalid-body', reason: 'message.body must be a string or a Buffer / Uint8Array.' };
  }
  return undefined;
}

/**
 * The bytes a Standard Webhooks signature covers: `${id}.${timestamp}.${body}`, UTF-8, with the body's
 * bytes appended unchanged (a binary body is not re-encoded). Sender and receiver both build it here.
 *
 * @throws WebhookMessageError (`invalid-message-id`, `invalid-timestamp`, `invalid-body`) for a message that
 * `findMessageProblem` refuses.
 */
export function signedContent(message: WebhookMessage): Buffer {
  const problem = findMessageProblem(message);
  if (problem !== undefined) throw new WebhookMessageError(problem.code, problem.reason);
  return buildSignedContent(message);
}

/** {@link signedContent} for a message already checked by `findMessageProblem`. */
export function buildSignedContent(message: WebhookMessage): Buffer {
  const head = Buffer.from(`${message.id}.${unixSeconds(message.timestamp)}.`, 'utf8');
  const { body } = message;
  const tail =
    typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.concat([head, tail]);
}

/**
 * The HMAC of the signed content, fed in two parts (`${id}.${timestamp}.`, then the body) so the body is
 * never copied into one buffer with the head. For a message already checked by `findMessageProblem`.
 */
export function hmacOfContent(hmac: Hmac, message: WebhookMessage): Buffer {
  return hmac
    .update(`${message.id}.${unixSeconds(message.timestamp)}.`, 'utf8')
    .update(message.body)
    .digest();
}

/** Unix seconds of a timestamp, or `undefined` when it is not a non-negative safe integer / valid Date. */
function unixSeconds(timestamp: number | Date): number | undefined {
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  return typeof seconds === 'number' && Number.isSafeInteger(seconds) && seconds >= 0 ? seconds : undefined;
}

function describeCharacter(code: number): string {
  if (code === 0x2e) return '"."';
  if (code === 0x20) return 'a space';
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

function describeNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value;
}
