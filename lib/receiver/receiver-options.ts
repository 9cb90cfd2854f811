import type { ClassConstructor } from 'class-transformer';
import { ENVELOPE_MODES, unwrapEnvelope } from '../envelope';
import type { EnvelopeMode } from '../envelope';
import { WebhookReceiverConfigError } from '../errors';
import { getOwnWebhookMetadata, resolveWebhookList } from '../metadata';
import { checkOptionsObject, describe, oneOf, positiveInteger, seconds } from '../options';
import type { OptionScope } from '../options';
import { payloadFromBody } from '../payload';
import { PUBLIC_KEY_PREFIX } from '../signing';
import type { SeenStore } from './seen-store';
import { checkVerificationKeys, keysOfOptions } from './verification-keys';
import type { VerifyOptions } from './verify-options';
import { DEFAULT_TOLERANCE_SECONDS } from './verify-webhook';

/** The largest body a webhook route reads by default: 1 MiB, as Fastify's own default. */
export const DEFAULT_WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** What every receiver (Express, Fastify, the NestJS guard) verifies a request with. */
export interface WebhookReceiverOptions<T = unknown> {
  /** The endpoint's `whsec_` secret. One of `secret`, `secrets` or `publicKey` is required. */
  secret?: string;
  /** Several keys while one is rotated (`whsec_` or `whpk_`): a signature by any of them is accepted. */
  secrets?: readonly string[];
  /** The sender's `whpk_` ed25519 public key, for `v1a` signatures. */
  publicKey?: string;
  /**
   * The payload class: the body becomes a validated instance of it (dates become `Date`s), and an
   * invalid payload is answered 400 with its issues. Default: none, the payload is the verified JSON.
   */
  webhook?: ClassConstructor<T>;
  /**
   * Several webhooks on one URL (payload classes, or catalog classes whose methods declare webhooks): the
   * signed envelope's `type` says which one a body is, and the handler gets `event` (its name) and
   * `payload` (the instance of its class). Needs `envelope: 'standard'` when it lists more than one
   * webhook, since a bare body does not say its event. Not with `webhook`. Default: none.
   */
  webhooks?: readonly Function[];
  /** `standard` when the sender wraps bodies as `{ type, timestamp, data }`. Default: `none`. */
  envelope?: EnvelopeMode;
  /** With `webhook`: the webhook name expected in the envelope, for the payload class of a method-style webhook. Default: none. */
  event?: string;
  /** How far `webhook-timestamp` may be from this machine's clock, either way, in seconds; `Infinity` skips the check. Default: 300. */
  toleranceSeconds?: number;
  /**
   * Replay protection: a store of accepted `webhook-id`s. A repeated id is acknowledged with 200 `replayed`
   * and the handler does not run; an id whose request did not succeed (an invalid payload, a failing
   * handler, any answer but 2xx) is given back with `seen.forget`, so that the sender's retry is processed.
   * Default: none.
   */
  seen?: SeenStore;
  /**
   * How long an id is remembered, in seconds; never less than the message can still verify (up to twice
   * `toleranceSeconds` plus one). Default: twice `toleranceSeconds`.
   */
  seenTtlSeconds?: number;
  /** The largest body accepted, in bytes; a larger one is answered 413 `body-too-large`. Default: 1048576 (1 MiB). */
  limit?: number;
}

/** The options every receiver takes; an adapter adds its own (`url`, `handler`, `now`). */
export const RECEIVER_OPTION_KEYS = [
  'secret',
  'secrets',
  'publicKey',
  'webhook',
  'webhooks',
  'envelope',
  'event',
  'toleranceSeconds',
  'seen',
  'seenTtlSeconds',
  'limit',
] as const;

/** Where a receiver's options are read, for its messages. */
export interface ReceiverScope {
  /** How the user wrote the call: `webhookMiddleware(options)`. */
  readonly where: string;
  /** Keys the adapter reads besides `RECEIVER_OPTION_KEYS`. */
  readonly extraKeys?: readonly string[];
  /** The message when no key is given. Default: one that names `secret`, `secrets` and `publicKey`. */
  readonly noKey?: string;
}

/** A receiver's checked options. */
export interface ReceiverConfig {
  readonly keys: readonly string[];
  /** The verification options, without `seen` (a request claims ids through its own `SeenClaim`). */
  readonly verify: Omit<VerifyOptions, 'seen'>;
  readonly seen: SeenStore | undefined;
  readonly limit: number;
  /** The event name and payload of a verified body: rejects as `parseWebhook` does. */
  readonly payloadOf: (body: unknown) => Promise<{ event: string | undefined; payload: unknown }>;
}

/** Checks a receiver's options once, when it is created, so that a mistake fails at startup. */
export function resolveReceiverOptions(options: unknown, scope: ReceiverScope): ReceiverConfig {
  const { where } = scope;
  const optionScope: OptionScope = { where, fail: (code, message) => new WebhookReceiverConfigError(code, message) };
  checkOptionsObject(options, [...RECEIVER_OPTION_KEYS, ...(scope.extraKeys ?? [])], optionScope, '{ secret }');
  const keys = checkVerificationKeys(
    keysOfOptions(options, where),
    scope.noKey ??
      `${where} needs a key to verify with: secret ('whsec_…'), secrets (several, while one is rotated) or ` +
        `publicKey ('${PUBLIC_KEY_PREFIX}…').`,
  );
  const limit = positiveInteger(options.limit, DEFAULT_WEBHOOK_BODY_LIMIT, 'limit', optionScope);
  const toleranceSeconds = seconds(
    options.toleranceSeconds,
    DEFAULT_TOLERANCE_SECONDS,
    'toleranceSeconds',
    optionScope,
    {
      allowInfinity: true,
    },
  );
  const seenTtlSeconds =
    options.seenTtlSeconds === undefined
      ? undefined
      : seconds(options.seenTtlSeconds, 0, 'seenTtlSeconds', optionScope, { allowInfinity: true, allowZero: false });
  const envelope = oneOf(options.envelope, 'none', ENVELOPE_MODES, 'envelope', optionScope);
  const { seen, now } = options as { seen?: SeenStore; now?: Date | number };
  const invalid = (message: string) => optionScope.fail('invalid-option', `${where}: ${message}`);
  if (seen !== undefined && typeof seen?.remember !== 'function') {
    throw invalid(`seen must be a SeenStore, e.g. new MemorySeenStore(); got ${describe(seen)}.`);
  }
  return {
    keys,
    verify: {
      toleranceSeconds,
      ...(seenTtlSeconds !== undefined ? { seenTtlSeconds } : {}),
      ...(now !== undefined ? { now } : {}),
    },
    seen,
    limit,
    payloadOf: payloadReader(options, envelope, invalid),
  };
}

/** How a verified body becomes the handler's `event` and `payload`, from `webhook`, `webhooks` and `envelope`. */
function payloadReader(
  options: Record<string, unknown>,
  envelope: EnvelopeMode,
  invalid: (message: string) => Error,
): ReceiverConfig['payloadOf'] {
  const { webhook, webhooks, event } = options;
  if (webhook !== undefined && typeof webhook !== 'function') {
    throw invalid(`webhook must be a payload class, got ${describe(webhook)}.`);
  }
  if (event !== undefined && (typeof event !== 'string' || webhook === undefined)) {
    throw invalid(
      'event names the webhook that the payload class in webhook is sent as: it needs webhook, and a string.',
    );
  }
  if (webhooks !== undefined) {
    if (webhook !== undefined) throw invalid('give webhook (one payload class) or webhooks (several), not both.');
    if (!Array.isArray(webhooks) || webhooks.length === 0 || !webhooks.every((item) => typeof item === 'function')) {
      throw invalid(`webhooks must be a non-empty array of @Webhook classes, got ${describe(webhooks)}.`);
    }
    return eventReader(webhooks as Function[], envelope, invalid);
  }
  if (webhook === undefined) {
    return async (body) => ({
      event: envelope === 'standard' ? unwrapEnvelope(body, []).type : undefined,
      payload: body,
    });
  }
  const type = webhook as ClassConstructor<object>;
  const names = getOwnWebhookMetadata(type).map((record) => record.name);
  const declared = event ?? (names.length === 1 ? names[0] : undefined);
  return async (body) => {
    const payload = await payloadFromBody(type, body, { envelope, ...(event !== undefined ? { event } : {}) });
    return {
      event: envelope === 'standard' ? unwrapEnvelope(body, []).type : (declared as string | undefined),
      payload,
    };
  };
}

/** Several webhooks on one URL: the envelope's `type` picks the class. */
function eventReader(
  classes: readonly Function[],
  envelope: EnvelopeMode,
  invalid: (message: string) => Error,
): ReceiverConfig['payloadOf'] {
  const definitions = resolveWebhookList(classes);
  const names = definitions.map((definition) => definition.name);
  if (definitions.length > 1 && envelope !== 'standard') {
    throw invalid(
      `webhooks lists several webhooks (${names.join(', ')}), but without the envelope a body does not say which ` +
        "one it is. Set envelope: 'standard' (the sender's envelope option, which signs the name as type), or " +
        'receive each webhook on its own URL with webhook: PayloadClass.',
    );
  }
  return async (body) => {
    const name = envelope === 'standard' ? unwrapEnvelope(body, names).type : (names[0] as string);
    const definition = definitions.find((candidate) => candidate.name === name)!;
    const payload = await payloadFromBody(definition.payload as ClassConstructor<object>, body, {
      envelope,
      event: name,
    });
    return { event: name, payload };
  };
}
