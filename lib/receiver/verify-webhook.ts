import { WebhookReceiverConfigError, WebhookSecretError, WebhookVerificationError } from '../errors';
import { checkKnownKeys, describe, seconds } from '../options';
import type { OptionScope } from '../options';
import { verifySignature } from '../signing';
import { findTooDeep, MAX_JSON_DEPTH } from '../payload/json-depth';
import type { VerifyOptions } from './verify-options';
import type { WebhookHeaders } from './webhook-headers';
import { readSignatureHeaders } from './webhook-headers';

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The options `verifyWebhook` reads; `parseWebhook` adds `envelope` and `event`. */
export const VERIFY_OPTION_KEYS = ['toleranceSeconds', 'now', 'seen', 'seenTtlSeconds'] as const;

/** What verification established about a message, besides its body. */
export interface VerifiedWebhook {
  /** The `webhook-id`: use it to drop duplicates (delivery is at-least-once). */
  readonly id: string;
  /** The `webhook-timestamp`, as a Date. */
  readonly timestamp: Date;
  /** The parsed JSON body. */
  readonly body: unknown;
}

/**
 * Verifies a Standard Webhooks request and returns its parsed JSON body. Checks, in order: the raw body
 * is bytes or a string (not a parsed object), the three headers are there, the timestamp is digits
 * within `toleranceSeconds` of now, one signature matches one key (v1 HMAC with `whsec_` secrets, v1a
 * ed25519 with `whpk_` keys; several keys during rotation), the body is JSON, and — with
 * `options.seen` — the id was not accepted before. Throws `WebhookVerificationError` with a `code`.
 *
 * @param rawBody the body exactly as received: a Buffer or a string, never re-serialised JSON.
 * @param headers `req.headers`, a Fetch `Headers`, or any object (any casing; `svix-*` names work too).
 * @param secretOrKeys the endpoint's `whsec_` secret, `whpk_` public key, or several during rotation.
 */
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrKeys: string | readonly string[],
  options?: VerifyOptions & { seen?: undefined },
): unknown;
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrKeys: string | readonly string[],
  options: VerifyOptions,
): unknown | Promise<unknown>;
export function verifyWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrKeys: string | readonly string[],
  options: VerifyOptions = {},
): unknown {
  if (!options.seen) return verifyMessage(rawBody, headers, secretOrKeys, options).body;
  // Through the async function, so that with a store every failure rejects the Promise, none throws.
  return verifyWebhookMessage(rawBody, headers, secretOrKeys, options).then((verified) => verified.body);
}

/** `verifyWebhook`, returning the id and timestamp too; always a Promise. */
export async function verifyWebhookMessage(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrKeys: string | readonly string[],
  options: VerifyOptions = {},
): Promise<VerifiedWebhook> {
  const verified = verifyMessage(rawBody, headers, secretOrKeys, options);
  if (options.seen) await rememberOnce(verified, options);
  return verified;
}

function verifyMessage(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secretOrKeys: string | readonly string[],
  options: VerifyOptions,
): VerifiedWebhook {
  checkOptions(options);
  checkRawBody(rawBody);
  const { id, timestamp, signature } = readSignatureHeaders(headers);
  const seconds = checkTimestamp(timestamp, options);
  let matches: boolean;
  try {
    matches = verifySignature({ id, timestamp: seconds, body: rawBody }, signature, secretOrKeys);
  } catch (error) {
    // Only a key is this receiver's configuration. Anything else came from the request (timingSafeEqual
    // throws on an unpadded 44-character v1 entry, which decodes to 33 bytes), and a request must not
    // pass for a configuration error: it simply does not verify.
    if (!(error instanceof WebhookSecretError)) throw noMatchingSignature(error);
    throw new WebhookVerificationError('invalid-secret', `The verification key is unusable: ${error.message}`, {
      cause: error,
    });
  }
  if (!matches) throw noMatchingSignature();
  const text = typeof rawBody === 'string' ? rawBody : utf8(rawBody);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    // No cause: JSON.parse's message quotes part of the body, which errors never carry.
    throw new WebhookVerificationError('invalid-body', 'The signed body is not JSON.');
  }
  const tooDeep = findTooDeep(body);
  if (tooDeep !== undefined) {
    throw new WebhookVerificationError(
      'invalid-body',
      `The signed body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep (at ${tooDeep}); ` +
        'no webhook payload is that deep, and it is refused rather than walked.',
    );
  }
  return { id, timestamp: new Date(seconds * 1000), body };
}

/** Decodes without copying the bytes first (`Buffer.from(uint8Array)` would copy them). */
function utf8(bytes: Uint8Array): string {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return buffer.toString('utf8');
}

function noMatchingSignature(cause?: unknown): WebhookVerificationError {
  return new WebhookVerificationError(
    'invalid-signature',
    'No signature in webhook-signature matches the body with this endpoint’s keys. Check that the secret is ' +
      'the one of this endpoint and that the body is the raw bytes received (not parsed and re-serialised).',
    cause === undefined ? undefined : { cause },
  );
}

const SCOPE: OptionScope = {
  where: 'verifyWebhook options',
  fail: (code, message) => new WebhookReceiverConfigError(code, message),
};

/**
 * Every comparison with NaN is false, so a NaN tolerance or clock (`Number(process.env.UNSET)`) would let
 * any timestamp through, and a NaN TTL would remember nothing: such options are refused, loudly.
 * `toleranceSeconds: Infinity` is an explicit choice to skip the age check, as in every receiver.
 */
function checkOptions(options: VerifyOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw SCOPE.fail('invalid-option', `${SCOPE.where} must be an object, got ${describe(options)}.`);
  }
  checkKnownKeys(options as Record<string, unknown>, VERIFY_OPTION_KEYS, SCOPE);
  const { toleranceSeconds, now, seenTtlSeconds } = options;
  seconds(toleranceSeconds, DEFAULT_TOLERANCE_SECONDS, 'toleranceSeconds', SCOPE, { allowInfinity: true });
  seconds(seenTtlSeconds, 1, 'seenTtlSeconds', SCOPE, { allowInfinity: true, allowZero: false });
  if (now !== undefined && !Number.isFinite(now instanceof Date ? now.getTime() : now)) {
    throw SCOPE.fail(
      'invalid-option',
      `${SCOPE.where}: now must be a valid Date or Unix milliseconds, got ${now instanceof Date ? 'an invalid Date' : describe(now)}.`,
    );
  }
}

function checkRawBody(rawBody: unknown): void {
  if (typeof rawBody === 'string' || rawBody instanceof Uint8Array) return;
  throw new WebhookVerificationError(
    'raw-body-required',
    `The body must be the raw request bytes (a Buffer or a string), got ${rawBody === null ? 'null' : typeof rawBody}. ` +
      'A framework parsed the JSON before verification, and re-serialising it does not give back the signed bytes. ' +
      "Express: express.raw({ type: 'application/json' }) on the webhook route (or hookspec's webhookMiddleware); " +
      'NestJS: NestFactory.create(AppModule, { rawBody: true }) and req.rawBody; ' +
      "Fastify: a content-type parser with { parseAs: 'buffer' }.",
  );
}

function checkTimestamp(value: string, options: VerifyOptions): number {
  if (!/^\d{1,15}$/.test(value)) {
    throw new WebhookVerificationError(
      'invalid-timestamp',
      'webhook-timestamp must be Unix time in whole seconds (digits only).',
    );
  }
  const seconds = Number(value);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = Math.floor((options.now === undefined ? Date.now() : Number(options.now)) / 1000);
  if (now - seconds > tolerance) {
    throw new WebhookVerificationError(
      'timestamp-too-old',
      `webhook-timestamp is ${now - seconds} s in the past, more than the ${tolerance} s tolerance: a replay, ` +
        'or this machine’s clock is wrong.',
    );
  }
  if (seconds - now > tolerance) {
    throw new WebhookVerificationError(
      'timestamp-too-new',
      `webhook-timestamp is ${seconds - now} s in the future, more than the ${tolerance} s tolerance: ` +
        'the sender’s clock or this machine’s is wrong.',
    );
  }
  return seconds;
}

async function rememberOnce(verified: VerifiedWebhook, options: VerifyOptions): Promise<void> {
  const first = await options.seen?.remember(verified.id, seenTtlSeconds(verified.timestamp, options));
  if (first === false) {
    throw new WebhookVerificationError(
      'replayed',
      `webhook-id ${verified.id} was already accepted: this is a replay or a duplicate delivery.`,
    );
  }
}

/**
 * How long to keep an id: `seenTtlSeconds` (default twice the tolerance, so that the sender's later
 * attempts of one message are recognised too), and never less than the time this message can still
 * verify. It verifies while its whole-second timestamp is within the tolerance of the current second,
 * that is until `(timestamp + tolerance + 1) * 1000` ms: up to `2 * tolerance + 1` s ahead for a
 * timestamp at the future edge. Forgetting the id sooner would let a captured copy be replayed.
 */
export function seenTtlSeconds(timestamp: Date, options: VerifyOptions): number {
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowMs = options.now === undefined ? Date.now() : Number(options.now);
  const window = Math.ceil((timestamp.getTime() + (tolerance + 1) * 1000 - nowMs) / 1000);
  return Math.max(options.seenTtlSeconds ?? 2 * tolerance, window);
}
