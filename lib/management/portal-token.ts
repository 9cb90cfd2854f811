/*
 * Portal tokens: what an app hands one customer so that the portal page can act for that owner alone,
 * with a few capabilities, for a short time. The token is signed (HMAC-SHA256) with the admin's
 * `portalSecret`, and verified here in constant time; nothing is stored, so a token cannot be revoked
 * before it expires: that is why its lifetime is capped at 24 hours.
 *
 * `hsp_<base64url(JSON {"v":1,"o":owner|null,"c":[…],"exp":epochMs,"iat":epochMs})>.<base64url(HMAC(key, "hsp_"+payload))>`
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MAX_OWNER_LENGTH } from '../client';
import { WebhookAdminError } from '../errors';
import { checkOptionsObject, describe, didYouMean } from '../options';
import type { OptionScope } from '../options';
import type { OwnerScope } from './owner-scope';

/** What a portal token may let its holder do, beyond viewing. */
export const PORTAL_CAPABILITIES = ['view', 'manage-endpoints', 'view-secret', 'resend'] as const;

/**
 * - `view`: the event catalogue, endpoints (list, get, stats), messages and attempts. Every token has it.
 * - `manage-endpoints`: create, change, enable, disable and delete endpoints; send an example.
 * - `view-secret`: the secret in the answers to creating an endpoint and rotating its secret (rotating
 *   needs `manage-endpoints` too).
 * - `resend`: resend a message, recover an endpoint's failed deliveries since a time.
 */
export type PortalCapability = (typeof PORTAL_CAPABILITIES)[number];

export interface PortalTokenOptions {
  /** Required: the customer the token acts for, or `null` for the app's own endpoints and messages. */
  owner: OwnerScope;
  /** How long the token is valid. Default: 3600000 (1 hour); at most 86400000 (24 hours). */
  ttlMs?: number;
  /** What the token allows; `view` is always included. Default: `['view']`. */
  capabilities?: readonly PortalCapability[];
}

/** What a valid token grants. */
export interface PortalSession {
  readonly owner: OwnerScope;
  /** In the order of PORTAL_CAPABILITIES, `view` first. */
  readonly capabilities: readonly PortalCapability[];
  /** Epoch milliseconds after which the token is refused. */
  readonly expiresAt: number;
}

/** Why a token was refused: only `expired` is told apart, since it asks the holder for a new link. */
export type PortalTokenRefusal = 'expired' | 'invalid';

export const PORTAL_TOKEN_PREFIX = 'hsp_';
export const DEFAULT_PORTAL_TTL_MS = 60 * 60 * 1000;
export const MAX_PORTAL_TTL_MS = 24 * 60 * 60 * 1000;
/** The shortest key: 256 bits, as much as HMAC-SHA256 can use. */
const MIN_KEY_BYTES = 32;
/** Far above any token minted here (an owner is at most 128 characters): longer input is not even decoded. */
const MAX_TOKEN_LENGTH = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The signing key, and the only code that sees it. It lives in a private field: `util.inspect`,
 * `console.log` and `JSON.stringify` of the admin never show it.
 */
export class PortalTokens {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  mint(options: unknown, now: number, where: string): string {
    const { owner, ttlMs, capabilities } = checkTokenOptions(options, where);
    const payload = Buffer.from(
      JSON.stringify({ v: 1, o: owner, c: capabilities, exp: now + ttlMs, iat: now }),
      'utf8',
    ).toString('base64url');
    const signed = `${PORTAL_TOKEN_PREFIX}${payload}`;
    return `${signed}.${this.#sign(signed)}`;
  }

  /** The session a token grants at `now`, or why it is refused. Never throws, whatever `token` is. */
  verify(token: unknown, now: number): PortalSession | PortalTokenRefusal {
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !token.startsWith(PORTAL_TOKEN_PREFIX)) {
      return 'invalid';
    }
    const dot = token.indexOf('.');
    if (dot === -1) return 'invalid';
    const signed = token.slice(0, dot);
    const payload = signed.slice(PORTAL_TOKEN_PREFIX.length);
    const signature = token.slice(dot + 1);
    if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) return 'invalid';
    // Compared as the canonical text, so one signature has exactly one spelling.
    const expected = Buffer.from(this.#sign(signed), 'latin1');
    const given = Buffer.from(signature, 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    // Only a payload this key signed is parsed.
    const session = sessionOf(payload);
    if (session === undefined) return 'invalid';
    return session.expiresAt <= now ? 'expired' : session;
  }

  #sign(signed: string): string {
    return createHmac('sha256', this.#key).update(signed, 'utf8').digest('base64url');
  }
}

/** How each admin with a `portalSecret` verifies tokens, for its HTTP layer; the key itself stays in PortalTokens. */
const VERIFIERS = new WeakMap<object, (token: unknown) => PortalSession | PortalTokenRefusal>();

export function registerPortalVerifier(
  admin: object,
  verify: (token: unknown) => PortalSession | PortalTokenRefusal,
): void {
  VERIFIERS.set(admin, verify);
}

/** The admin's verifier; undefined when it was made without `portalSecret`. */
export function portalVerifier(admin: object): ((token: unknown) => PortalSession | PortalTokenRefusal) | undefined {
  return VERIFIERS.get(admin);
}

/**
 * The `portalSecret` option as a key: a string of at least 32 characters or a Buffer of at least 32
 * bytes (copied, so a later change to the caller's buffer changes nothing). The message never shows it.
 */
export function portalKey(value: unknown, scope: OptionScope): Buffer | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length >= MIN_KEY_BYTES) return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value) && value.length >= MIN_KEY_BYTES) return Buffer.from(value);
  const what =
    typeof value === 'string'
      ? `a string of ${value.length} characters`
      : Buffer.isBuffer(value)
        ? `a Buffer of ${value.length} bytes`
        : describe(value);
  throw scope.fail(
    'invalid-option',
    `${scope.where}: portalSecret must be a string of at least ${MIN_KEY_BYTES} characters or a Buffer of at ` +
      `least ${MIN_KEY_BYTES} bytes (e.g. randomBytes(32), kept in the app's secret store); got ${what}.`,
  );
}

function checkTokenOptions(
  options: unknown,
  where: string,
): { owner: OwnerScope; ttlMs: number; capabilities: PortalCapability[] } {
  const scope: OptionScope = { where, fail: (code, message) => new WebhookAdminError(code, message) };
  checkOptionsObject(
    options,
    ['owner', 'ttlMs', 'capabilities'],
    scope,
    "{ owner: 'acct_1', capabilities: ['view', 'manage-endpoints'] }",
  );
  const { owner, ttlMs = DEFAULT_PORTAL_TTL_MS, capabilities = ['view'] } = options;
  if (!(owner === null || (typeof owner === 'string' && owner !== '' && owner.length <= MAX_OWNER_LENGTH))) {
    throw scope.fail(
      'invalid-option',
      `${where}: owner is required: the customer the portal acts for (a non-empty string of at most ` +
        `${MAX_OWNER_LENGTH} characters), or null for the app's own endpoints; got ${describe(owner)}.`,
    );
  }
  if (!(typeof ttlMs === 'number' && Number.isSafeInteger(ttlMs) && ttlMs > 0 && ttlMs <= MAX_PORTAL_TTL_MS)) {
    throw scope.fail(
      'invalid-option',
      `${where}: ttlMs must be a whole number of milliseconds above 0 and at most ${MAX_PORTAL_TTL_MS} (24 hours: ` +
        `a token cannot be revoked before it expires); got ${describe(ttlMs)}.`,
    );
  }
  return { owner, ttlMs, capabilities: checkCapabilities(capabilities, scope) };
}

function checkCapabilities(capabilities: unknown, scope: OptionScope): PortalCapability[] {
  const known: readonly string[] = PORTAL_CAPABILITIES;
  if (!Array.isArray(capabilities) || capabilities.length === 0) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: capabilities must be a non-empty list of ${known.map((name) => `'${name}'`).join(', ')}; ` +
        `got ${describe(capabilities)}.`,
    );
  }
  for (const capability of capabilities as unknown[]) {
    if (typeof capability === 'string' && known.includes(capability)) continue;
    const guess = typeof capability === 'string' ? didYouMean(capability, known) : undefined;
    throw scope.fail(
      'invalid-option',
      `${scope.where}: ${describe(capability)} is not a portal capability${guess === undefined ? '' : ` (did you mean '${guess}'?)`}; ` +
        `the capabilities are ${known.map((name) => `'${name}'`).join(', ')}.`,
    );
  }
  return PORTAL_CAPABILITIES.filter((name) => name === 'view' || (capabilities as unknown[]).includes(name));
}

/** The session of a signed payload; undefined when it is not one this code mints (a key shared with something else). */
function sessionOf(payload: string): PortalSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { v, o, c, exp } = value as Record<string, unknown>;
  const ownerOk = o === null || (typeof o === 'string' && o !== '' && o.length <= MAX_OWNER_LENGTH);
  const capabilitiesOk =
    Array.isArray(c) &&
    c.includes('view') &&
    c.every((name) => (PORTAL_CAPABILITIES as readonly unknown[]).includes(name));
  if (v !== 1 || !ownerOk || !capabilitiesOk || !Number.isSafeInteger(exp)) return undefined;
  return {
    owner: o as OwnerScope,
    capabilities: PORTAL_CAPABILITIES.filter((name) => (c as unknown[]).includes(name)),
    expiresAt: exp as number,
  };
}
