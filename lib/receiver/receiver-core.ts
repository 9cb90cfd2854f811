import type { ServerResponse } from 'node:http';
import type { ClassConstructor } from 'class-transformer';
import { HookspecError, WebhookSecretError, WebhookValidationError, WebhookVerificationError } from '../errors';
import type { ValidationIssue, VerificationFailure } from '../errors';
import { PUBLIC_KEY_PREFIX } from '../signing';
import { parseVerificationKey } from '../signing/signing-keys';
import { parseWebhookMessage } from './parse-webhook';
import type { ParseOptions } from './parse-webhook';
import type { SeenStore } from './seen-store';
import { verifyWebhookMessage } from './verify-webhook';
import type { WebhookHeaders } from './webhook-headers';
import type { EnvelopeMode } from '../envelope';

/** The largest body a webhook route reads by default: 1 MiB, as Fastify's own default. */
export const DEFAULT_WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** What the framework adapters (Express, Fastify) verify a request with. */
export interface WebhookReceiverOptions<T = unknown> {
  /** The endpoint's `whsec_` secret. One of `secret`, `secrets` or `publicKey` is required. */
  secret?: string;
  /** Several keys while one is rotated (`whsec_` or `whpk_`): a signature by any of them is accepted. */
  secrets?: readonly string[];
  /** The sender's `whpk_` ed25519 public key, for `v1a` signatures. */
  publicKey?: string;
  /**
   * The payload class: the body becomes a validated instance of it (dates become `Date`s), and an
   * invalid payload is answered 400 with its issues. Default: none, the event is the verified JSON.
   */
  webhook?: ClassConstructor<T>;
  /** `standard` when the sender wraps bodies as `{ type, timestamp, data }`; needs `webhook`. Default: `none`. */
  envelope?: EnvelopeMode;
  /** The webhook name expected in the envelope, for the payload class of a method-style webhook. Default: none. */
  event?: string;
  /** How far `webhook-timestamp` may be from this machine's clock, either way, in seconds. Default: 300. */
  toleranceSeconds?: number;
  /**
   * Replay protection: a store of accepted `webhook-id`s. A repeated id is acknowledged with 200 `replayed`
   * and the handler does not run; an id whose request did not succeed (an invalid payload, a failing
   * handler, any answer but 2xx) is given back with `seen.forget`, so that the sender's retry is processed.
   * Default: none.
   */
  seen?: SeenStore;
  /** How long an id is remembered, in seconds. Default: twice `toleranceSeconds`. */
  seenTtlSeconds?: number;
  /** The largest body accepted, in bytes; a larger one is answered 413 `body-too-large`. Default: 1048576 (1 MiB). */
  limit?: number;
}

/** A verified webhook, as the adapters put it on the request (`req.webhook`, `request.webhook`). */
export interface ReceivedWebhook<T = unknown> {
  /** The `webhook-id`: the same on every retry, so use it to drop duplicates. */
  readonly id: string;
  /** The `webhook-timestamp` of this attempt. */
  readonly timestamp: Date;
  /** The validated instance of `webhook`, or the verified JSON body without it. */
  readonly event: T;
}

/**
 * The JSON body of every answer an adapter gives instead of the handler (a refusal, or the acknowledgement
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

export interface WebhookReceiver {
  readonly limit: number;
  /**
   * Verifies the request and, with `seen`, claims its id. Rejects as `parseWebhook` does; a request refused
   * after its id was claimed (an invalid payload) gives the id back first. Once it resolves, the id is
   * forgotten unless `res` finishes with a 2xx.
   */
  receive(rawBody: string | Uint8Array, headers: WebhookHeaders, res: ServerResponse): Promise<ReceivedWebhook>;
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
 * Checks the adapter options once, when the middleware or route is created, so a missing or malformed key
 * fails at startup rather than on the first request; `caller` names the adapter in the messages.
 */
export function createWebhookReceiver(options: WebhookReceiverOptions, caller: string): WebhookReceiver {
  if (typeof options !== 'object' || options === null) {
    throw new HookspecError('invalid-receiver-options', `${caller}(options) needs an options object: { secret }.`);
  }
  const keys = checkKeys(options, caller);
  const { webhook, envelope, event, toleranceSeconds, seen, seenTtlSeconds } = options;
  const limit = options.limit ?? DEFAULT_WEBHOOK_BODY_LIMIT;
  const problem = findOptionProblem(options, limit);
  if (problem !== undefined) throw new HookspecError('invalid-receiver-options', `${caller}(options): ${problem}`);

  const parseOptions: ParseOptions = { envelope, event, toleranceSeconds, seenTtlSeconds };
  async function verify(rawBody: string | Uint8Array, headers: WebhookHeaders, options: ParseOptions) {
    if (webhook === undefined) {
      const { id, timestamp, body } = await verifyWebhookMessage(rawBody, headers, keys, options);
      return { id, timestamp, event: body };
    }
    return parseWebhookMessage(webhook as ClassConstructor<object>, rawBody, headers, keys, options);
  }
  return {
    limit,
    async receive(rawBody, headers, res) {
      const claim = new SeenClaim(seen);
      let received: ReceivedWebhook;
      try {
        received = await verify(rawBody, headers, { ...parseOptions, seen: claim.store });
      } catch (error) {
        await claim.forget();
        throw error;
      }
      claim.forgetUnlessAcknowledged(res);
      return received;
    },
  };
}

/**
 * The `webhook-id` one request claims in a `SeenStore`, so that it is given back (`forget`) when that
 * request does not succeed, and the sender's retry is processed instead of acknowledged as a duplicate.
 *
 * The id is claimed when the request is verified, with the store's atomic `remember`, so two deliveries
 * of one id never both run the handler. What remains is a race between concurrent deliveries: while the
 * first is still running, a second is acknowledged as a duplicate; if the first then fails, its id is
 * forgotten, but the sender already believes the message delivered (the second attempt's 200). The same
 * holds for a retry that arrives before an asynchronous `forget` completes. Senders retry seconds apart,
 * and a handler that must not lose a message can also deduplicate by id where it stores its effect.
 */
export class SeenClaim {
  /** `seen`, noting the id this request claims: the `seen` to verify with. */
  readonly store: SeenStore | undefined;
  private id: string | undefined;

  constructor(
    private readonly seen: SeenStore | undefined,
    private readonly report: (error: unknown, id: string) => void = warnForgetFailed,
  ) {
    this.store = seen && {
      remember: async (id, ttlSeconds) => {
        const first = await seen.remember(id, ttlSeconds);
        // As verifyWebhook reads it: only `false` is a duplicate.
        if (first !== false) this.id = id;
        return first;
      },
    };
  }

  /** Forgets the claimed id, once. A failing store is reported, never thrown: the answer must still go out. */
  async forget(): Promise<void> {
    const { id, seen } = this;
    this.id = undefined;
    if (id === undefined || typeof seen?.forget !== 'function') return;
    try {
      await seen.forget(id);
    } catch (error) {
      this.report(error, id);
    }
  }

  /**
   * Forgets the claimed id unless `res` finishes with a 2xx: the handler threw (the framework's error
   * handler answered 5xx), answered an error itself, or the connection closed before any answer (the
   * sender retries those). A 2xx that is then lost on the network keeps the id: the retry is acknowledged.
   */
  forgetUnlessAcknowledged(res: ServerResponse): void {
    if (this.id === undefined) return;
    const settle = () => {
      res.off('finish', settle);
      res.off('close', settle);
      if (!(res.writableFinished && res.statusCode >= 200 && res.statusCode < 300)) void this.forget();
    };
    if (res.writableFinished || res.destroyed) {
      settle();
      return;
    }
    res.once('finish', settle);
    res.once('close', settle);
  }
}

function warnForgetFailed(error: unknown, id: string): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.emitWarning(
    `seen.forget(${JSON.stringify(id)}) failed (${reason}): the id stays claimed until its TTL, and the ` +
      "sender's retries of this message are acknowledged as duplicates without being processed.",
    { code: 'HOOKSPEC_SEEN_FORGET_FAILED' },
  );
}

/**
 * The answer to an error from `receive` (for `replayed`, the 200 that acknowledges a duplicate); undefined
 * for an unexpected error (a failing `seen` store, say).
 */
export function describeFailure(error: unknown): WebhookFailure | undefined {
  if (error instanceof WebhookValidationError) {
    return {
      status: 400,
      body: {
        code: 'invalid-payload',
        message: `The payload is not a valid ${error.payloadName}: see issues.`,
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

function checkKeys(options: WebhookReceiverOptions, caller: string): string[] {
  const { secret, secrets, publicKey } = options;
  if (secrets !== undefined && !Array.isArray(secrets)) {
    throw new WebhookSecretError('invalid-secret', `${caller}(options): secrets must be an array of keys.`);
  }
  const named: [string, unknown][] = [
    ...(secret !== undefined ? [['secret', secret] as [string, unknown]] : []),
    ...(secrets ?? []).map((key, index): [string, unknown] => [`secrets[${index}]`, key]),
    ...(publicKey !== undefined ? [['publicKey', publicKey] as [string, unknown]] : []),
  ];
  if (named.length === 0) {
    throw new WebhookSecretError(
      'invalid-secret',
      `${caller}(options) needs a key to verify with: secret ('whsec_…'), secrets (several, while one is ` +
        `rotated) or publicKey ('${PUBLIC_KEY_PREFIX}…').`,
    );
  }
  if (publicKey !== undefined && !(typeof publicKey === 'string' && publicKey.startsWith(PUBLIC_KEY_PREFIX))) {
    throw new WebhookSecretError(
      'invalid-key',
      `${caller}(options): publicKey must be a '${PUBLIC_KEY_PREFIX}' ed25519 public key; a 'whsec_' secret goes ` +
        "in secret, and the 'whsk_' private key stays with the sender.",
    );
  }
  return named.map(([name, key]) => {
    try {
      parseVerificationKey(key as string);
    } catch (error) {
      if (!(error instanceof WebhookSecretError)) throw error;
      throw new WebhookSecretError(error.code, `${caller}(options): ${name}: ${error.message}`, { cause: error });
    }
    return key as string;
  });
}

function findOptionProblem(options: WebhookReceiverOptions, limit: number): string | undefined {
  const { webhook, envelope, event, toleranceSeconds, seen, seenTtlSeconds } = options;
  const rules: [broken: boolean, problem: string][] = [
    [webhook !== undefined && typeof webhook !== 'function', 'webhook must be a payload class, e.g. Subscription.'],
    [
      envelope !== undefined && envelope !== 'none' && envelope !== 'standard',
      "envelope must be 'none' or 'standard'.",
    ],
    [
      (envelope === 'standard' || event !== undefined) && webhook === undefined,
      'envelope and event need webhook (the payload class); without it the event is the whole verified body.',
    ],
    [!isPositiveInteger(limit), 'limit must be a positive whole number of bytes.'],
    [
      toleranceSeconds !== undefined && !(isFiniteNumber(toleranceSeconds) && toleranceSeconds >= 0),
      'toleranceSeconds must be 0 or more.',
    ],
    [
      seenTtlSeconds !== undefined && !(isFiniteNumber(seenTtlSeconds) && seenTtlSeconds > 0),
      'seenTtlSeconds must be more than 0.',
    ],
    [
      seen !== undefined && typeof seen?.remember !== 'function',
      'seen must be a SeenStore, e.g. new MemorySeenStore().',
    ],
  ];
  return rules.find(([broken]) => broken)?.[1];
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
