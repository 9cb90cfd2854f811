import { HookspecError, WebhookSecretError } from '../../errors';
import type { SeenStore, VerifyOptions } from '../../receiver';
import { PUBLIC_KEY_PREFIX } from '../../signing';
import { parseVerificationKey } from '../../signing/signing-keys';
import type { EnvelopeMode } from '../../envelope';

/**
 * How `WebhookGuard` verifies requests. One of `secret`, `secrets` or `publicKey` is required; they
 * combine, and a signature by any of them is accepted.
 */
export interface WebhookGuardOptions extends VerifyOptions {
  /** The endpoint's `whsec_` secret (HMAC, `v1` signatures). */
  secret?: string;
  /** Several keys while one is rotated (`whsec_` or `whpk_`): a signature by any of them is accepted. */
  secrets?: readonly string[];
  /** The sender's `whpk_` ed25519 public key, for `v1a` signatures. */
  publicKey?: string;
  /**
   * `standard` when the sender wraps bodies as `{ type, timestamp, data }` (the client's `envelope`
   * option): `@WebhookEvent(Class)` then checks `type` and turns `data` into the instance. Default: `none`.
   */
  envelope?: EnvelopeMode;
  /**
   * Replay protection: a store of accepted `webhook-id`s. A repeated id is acknowledged with 200 `replayed`
   * and the handler does not run; an id whose request was not answered 2xx is given back with
   * `seen.forget`, so that the sender's retry is processed. Default: none.
   */
  seen?: SeenStore;
}

/**
 * The injection token of the `WebhookGuardOptions` that `@UseGuards(WebhookGuard)` reads, so that keys
 * can come from `ConfigService` or a vault:
 * `{ provide: WEBHOOK_GUARD_OPTIONS, inject: [ConfigService], useFactory: (config) => ({ secret: config.getOrThrow('WEBHOOK_SECRET') }) }`.
 */
export const WEBHOOK_GUARD_OPTIONS = Symbol.for('hookspec:webhook-guard-options');

/** The options a guard runs with: its keys checked and listed, the rest as given. */
export interface ResolvedGuardOptions {
  readonly keys: readonly string[];
  readonly verify: VerifyOptions;
  readonly envelope: EnvelopeMode;
}

const KEY_FIELDS = ['secret', 'secrets', 'publicKey'] as const;

/**
 * Route options over the injected ones. Keys go together: a route that names any key names all of
 * them, so a route with its own secret does not also accept the module's.
 */
export function mergeGuardOptions(
  injected: WebhookGuardOptions | undefined,
  route: WebhookGuardOptions,
): WebhookGuardOptions {
  const base: WebhookGuardOptions = { ...injected };
  if (KEY_FIELDS.some((field) => field in route)) for (const field of KEY_FIELDS) delete base[field];
  return { ...base, ...route };
}

/** Checks the options when Nest creates the guard, so that a missing or malformed key stops the app from starting. */
export function resolveGuardOptions(options: WebhookGuardOptions | undefined): ResolvedGuardOptions {
  if (typeof options !== 'object' || options === null) {
    throw new HookspecError(
      'invalid-receiver-options',
      'WebhookGuard has no options: use @UseGuards(WebhookGuard.with({ secret })), or provide ' +
        'WEBHOOK_GUARD_OPTIONS in the module of the controller (useFactory with ConfigService, for instance).',
    );
  }
  const { secret, secrets, publicKey, envelope = 'none', ...verify } = options;
  const problem =
    (envelope !== 'none' && envelope !== 'standard' && "envelope must be 'none' or 'standard'.") ||
    (verify.toleranceSeconds !== undefined &&
      !isNonNegative(verify.toleranceSeconds) &&
      'toleranceSeconds must be 0 or more.') ||
    (verify.seenTtlSeconds !== undefined &&
      !(isNonNegative(verify.seenTtlSeconds) && verify.seenTtlSeconds > 0) &&
      'seenTtlSeconds must be more than 0.') ||
    (verify.seen !== undefined &&
      typeof verify.seen?.remember !== 'function' &&
      'seen must be a SeenStore, e.g. new MemorySeenStore().');
  if (problem) throw new HookspecError('invalid-receiver-options', `WebhookGuard options: ${problem}`);
  return { keys: checkKeys(secret, secrets, publicKey, options), verify, envelope };
}

function checkKeys(
  secret: string | undefined,
  secrets: readonly string[] | undefined,
  publicKey: string | undefined,
  options: WebhookGuardOptions,
): string[] {
  if (secrets !== undefined && !Array.isArray(secrets)) {
    throw new WebhookSecretError('invalid-secret', 'WebhookGuard options: secrets must be an array of keys.');
  }
  const named: [string, string][] = [
    ...(secret !== undefined ? [['secret', secret] as [string, string]] : []),
    ...(secrets ?? []).map((key, index): [string, string] => [`secrets[${index}]`, key]),
    ...(publicKey !== undefined ? [['publicKey', publicKey] as [string, string]] : []),
  ];
  if (named.length === 0) {
    const given = KEY_FIELDS.filter((field) => field in options);
    throw new WebhookSecretError(
      'invalid-secret',
      `WebhookGuard has no key: ${given.length > 0 ? `${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} undefined or empty` : "give secret ('whsec_…'), secrets or publicKey ('whpk_…')"}. ` +
        'A value read from process.env while the controller file loads is still undefined when @nestjs/config ' +
        'or dotenv sets it later; provide WEBHOOK_GUARD_OPTIONS with a factory that reads ConfigService instead.',
    );
  }
  if (publicKey !== undefined && !(typeof publicKey === 'string' && publicKey.startsWith(PUBLIC_KEY_PREFIX))) {
    throw new WebhookSecretError(
      'invalid-key',
      `WebhookGuard options: publicKey must be a '${PUBLIC_KEY_PREFIX}' ed25519 public key; a 'whsec_' secret ` +
        "goes in secret, and the 'whsk_' private key stays with the sender.",
    );
  }
  return named.map(([name, key]) => {
    try {
      parseVerificationKey(key);
    } catch (error) {
      if (!(error instanceof WebhookSecretError)) throw error;
      throw new WebhookSecretError(error.code, `WebhookGuard options: ${name}: ${error.message}`, { cause: error });
    }
    return key;
  });
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
