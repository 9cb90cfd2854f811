import { EndpointStoreError } from '../errors';
import { checkOptionsObject, describe, type OptionScope } from '../options';
import { checkReason, checkSecret } from './endpoint-fields';
import { MAX_SECRET_GRACE_MS } from './writable-endpoint-store';

/*
 * The options objects of the store's writing calls. They come from code (WebhookAdmin, the app), not from
 * the API's users, so their problems are `unknown-option` / `invalid-option` as everywhere else.
 */

function scope(where: string): OptionScope {
  return { where, fail: (code, message) => new EndpointStoreError(code, message) };
}

/** `{ now }`: the time of the change, epoch milliseconds (every timestamp a store writes comes from it). */
export function checkNow(options: unknown, where: string): number {
  const s = scope(where);
  checkOptionsObject(options, ['now'], s, '{ now: Date.now() }');
  return nowOf(options, s);
}

/** `{ now, reason? }` of `setEnabled`; the reason is kept only when disabling. */
export function checkEnableOptions(options: unknown, where: string): { now: number; reason: string | undefined } {
  const s = scope(where);
  checkOptionsObject(options, ['now', 'reason'], s, "{ now: Date.now(), reason: 'maintenance' }");
  return { now: nowOf(options, s), reason: checkReason(options.reason, where) };
}

/** `{ now, graceMs, secret? }` of `rotateSecret`. */
export function checkRotateOptions(
  options: unknown,
  where: string,
): { now: number; graceMs: number; secret: string | undefined } {
  const s = scope(where);
  checkOptionsObject(options, ['now', 'graceMs', 'secret'], s, '{ now: Date.now(), graceMs: DEFAULT_SECRET_GRACE_MS }');
  const { graceMs } = options;
  if (!(
    typeof graceMs === 'number' &&
    Number.isSafeInteger(graceMs) &&
    graceMs >= 0 &&
    graceMs <= MAX_SECRET_GRACE_MS
  )) {
    throw s.fail(
      'invalid-option',
      `${where}: graceMs must be a whole number of milliseconds from 0 (the old secret stops at once) to ` +
        `${MAX_SECRET_GRACE_MS} (7 days), got ${describe(graceMs)}.`,
    );
  }
  return {
    now: nowOf(options, s),
    graceMs,
    secret: options.secret === undefined ? undefined : checkSecret(options.secret, 'secret', where),
  };
}

function nowOf(options: Record<string, unknown>, s: OptionScope): number {
  const { now } = options;
  if (!(typeof now === 'number' && Number.isSafeInteger(now) && now >= 0)) {
    throw s.fail(
      'invalid-option',
      `${s.where}: now must be the time in epoch milliseconds (Date.now()), got ${describe(now)}.`,
    );
  }
  return now;
}

/** `enabled` must be a boolean: `setEnabled(id, 'false')` must not enable. */
export function checkEnabled(enabled: unknown, where: string): boolean {
  if (typeof enabled !== 'boolean') {
    throw new EndpointStoreError(
      'invalid-option',
      `${where}: enabled must be true or false, got ${describe(enabled)}.`,
    );
  }
  return enabled;
}
