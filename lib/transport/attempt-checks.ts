import { isIP } from 'node:net';
import { WebhookTransportError } from '../errors';
import { durationMs, type OptionScope } from '../options';
import type { AddressPolicy } from './address-policy';
import { hostOf, type Target } from './target-url';

/** Webhooks are always POSTed (Standard Webhooks). */
export const METHOD = 'POST';

/** Node's timers hold at most 2^31-1 ms (a longer delay would silently fire after 1 ms): lib/options says so. */
export function checkTimeout(timeoutMs: number, target: Target): number {
  const scope: OptionScope = {
    where: 'transport.send(request)',
    fail: (_code, message) => new WebhookTransportError('invalid-option', message, METHOD, target.safeUrl),
  };
  // Required by the type; a missing one must not become a deadline of 0.
  return Math.ceil(durationMs(timeoutMs ?? Number.NaN, 0, 'timeoutMs', scope));
}

/** Behind a proxy the guard sees the proxy's address, not the target's: a literal target is judged here. */
export function refuseLiteralTarget(policy: AddressPolicy, target: Target): void {
  const host = hostOf(target.url);
  const refusal = isIP(host) === 0 ? undefined : policy.refusal(host, [host], false);
  if (refusal)
    throw new WebhookTransportError('ssrf-blocked', refusal.message, METHOD, target.safeUrl, { cause: refusal });
}

/** Lower-case names, one string per header (repeated ones, like `set-cookie`, joined with `, `). */
export function flattenHeaders(headers: Record<string, unknown>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return flat;
}
