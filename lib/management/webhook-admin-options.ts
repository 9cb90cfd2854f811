import { DEFAULT_SECRET_GRACE_MS, MAX_SECRET_GRACE_MS } from '../endpoints';
import { WebhookAdminError } from '../errors';
import { checkOptionsObject, countOf, describe, durationMs } from '../options';
import type { OptionScope } from '../options';
import type { SchemaConverters } from '../schema';
import { PortalTokens, portalKey } from './portal-token';

export type { OwnerScope } from './owner-scope';

/** What retention deletes, and how often. Finished messages only: a pending delivery is never deleted. */
export interface RetentionOptions {
  /** Finished messages created longer ago than this are deleted. Default: no age limit. */
  maxAgeMs?: number;
  /** At most this many finished messages are kept, the newest. Default: no count limit. */
  maxMessages?: number;
  /** How often retention runs (the first time right after the admin is created). Default: 3600000 (1 hour). */
  intervalMs?: number;
}

export interface WebhookAdminOptions {
  /** How long a rotated-out secret keeps signing. Default: 86400000 (24 h, DEFAULT_SECRET_GRACE_MS); 0 to 7 days. */
  secretGraceMs?: number;
  /**
   * Deletes finished messages older than `maxAgeMs` / beyond `maxMessages` every `intervalMs`; at least
   * one of the two limits is required. Default: `false` (every message is kept).
   */
  retention?: RetentionOptions | false;
  /** Clock, for tests. Default: `Date.now`. */
  now?: () => number;
  /**
   * The schema converters given to `buildOpenApi`, so that `eventTypes()` shows the schemas your document
   * shows. Default: none (the built-in converters).
   */
  converters?: SchemaConverters;
  /**
   * The key that signs portal tokens (`admin.portalToken()`): a string of at least 32 characters or a
   * Buffer of at least 32 bytes, from the app's secret store. It is never logged nor shown in errors.
   * Changing it invalidates every token already handed out. Default: none (`portalToken()` throws).
   */
  portalSecret?: string | Buffer;
}

/** The admin's options, checked and with their defaults. */
export interface ResolvedAdminOptions {
  readonly secretGraceMs: number;
  readonly retention: ResolvedRetention | undefined;
  readonly now: () => number;
  readonly converters: SchemaConverters | undefined;
  /** Mints and verifies portal tokens; undefined without `portalSecret`. */
  readonly portal: PortalTokens | undefined;
}

export interface ResolvedRetention {
  readonly maxAgeMs: number | undefined;
  readonly maxMessages: number | undefined;
  readonly intervalMs: number;
}

const OPTION_KEYS = ['secretGraceMs', 'retention', 'now', 'converters', 'portalSecret'] as const;
const RETENTION_KEYS = ['maxAgeMs', 'maxMessages', 'intervalMs'] as const;
const DEFAULT_RETENTION_INTERVAL_MS = 60 * 60 * 1000;

export const ADMIN_SCOPE: OptionScope = {
  where: 'new WebhookAdmin(client, options)',
  fail: (code, message) => new WebhookAdminError(code, message),
};

/** Checks the options of `new WebhookAdmin(client, options)`: `unknown-option` with a did-you-mean, `invalid-option`. */
export function resolveAdminOptions(options: unknown): ResolvedAdminOptions {
  const given = options === undefined ? {} : options;
  checkOptionsObject(given, OPTION_KEYS, ADMIN_SCOPE, '{ secretGraceMs: 3600000 }');
  if (given.now !== undefined && typeof given.now !== 'function') {
    throw ADMIN_SCOPE.fail(
      'invalid-option',
      `${ADMIN_SCOPE.where}: now must be a function returning epoch milliseconds, got ${describe(given.now)}.`,
    );
  }
  if (given.converters !== undefined && (typeof given.converters !== 'object' || given.converters === null)) {
    throw ADMIN_SCOPE.fail(
      'invalid-option',
      `${ADMIN_SCOPE.where}: converters must be the object of schema converters given to buildOpenApi, got ${describe(given.converters)}.`,
    );
  }
  return {
    secretGraceMs: graceMs(given.secretGraceMs, DEFAULT_SECRET_GRACE_MS, 'secretGraceMs', ADMIN_SCOPE),
    retention: retention(given.retention),
    now: (given.now as (() => number) | undefined) ?? Date.now,
    converters: given.converters as SchemaConverters | undefined,
    portal: portalTokens(portalKey(given.portalSecret, ADMIN_SCOPE)),
  };
}

function portalTokens(key: Buffer | undefined): PortalTokens | undefined {
  return key === undefined ? undefined : new PortalTokens(key);
}

/** A grace period: whole milliseconds from 0 (the old secret stops at once) to MAX_SECRET_GRACE_MS (7 days). */
export function graceMs(value: unknown, fallback: number, name: string, scope: OptionScope): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_SECRET_GRACE_MS)) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: ${name} must be a whole number of milliseconds from 0 (the old secret stops at once) ` +
        `to ${MAX_SECRET_GRACE_MS} (7 days), got ${describe(value)}.`,
    );
  }
  return value;
}

/**
 * The limits of a prune: an age (any positive number of milliseconds: no timer waits on it) and a count.
 * At least one: a prune without a limit would delete every finished message.
 */
export function pruneLimits(
  given: { maxAgeMs?: unknown; maxMessages?: unknown },
  scope: OptionScope,
): { maxAgeMs: number | undefined; maxMessages: number | undefined } {
  const { maxAgeMs, maxMessages } = given;
  if (maxAgeMs !== undefined && !(typeof maxAgeMs === 'number' && Number.isFinite(maxAgeMs) && maxAgeMs > 0)) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: maxAgeMs must be a number of milliseconds above 0, got ${describe(maxAgeMs)}.`,
    );
  }
  const count = maxMessages === undefined ? undefined : countOf(maxMessages, 0, 'maxMessages', scope);
  if (maxAgeMs === undefined && count === undefined) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: give maxAgeMs, maxMessages or both (e.g. { maxAgeMs: 30 * 24 * 3600 * 1000 }); ` +
        'without a limit every finished message would be deleted.',
    );
  }
  return { maxAgeMs, maxMessages: count };
}

function retention(value: unknown): ResolvedRetention | undefined {
  if (value === undefined || value === false) return undefined;
  const scope: OptionScope = { ...ADMIN_SCOPE, where: `${ADMIN_SCOPE.where} retention` };
  checkOptionsObject(value, RETENTION_KEYS, scope, '{ maxAgeMs: 2592000000 } or false');
  const limits = pruneLimits(value, scope);
  return {
    ...limits,
    intervalMs: durationMs(value.intervalMs, DEFAULT_RETENTION_INTERVAL_MS, 'intervalMs', scope),
  };
}
