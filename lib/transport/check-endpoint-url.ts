import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { WebhookClientConfigError, WebhookTransportError } from '../errors';
import { checkOptionsObject, type OptionScope } from '../options';
import { AddressPolicy } from './address-policy';
import { addressesOf } from './lookup-answer';
import { hostOf, parseTarget } from './target-url';
import type { LookupAllFunction } from './transport';

/** Options of {@link checkEndpointUrl}: the same two the client's SSRF guard takes. */
export interface CheckEndpointUrlOptions {
  /** CIDR ranges accepted although not public, as the client's `allowNetworks`. Default: none. */
  allowNetworks?: readonly string[];
  /** Resolves host names, every address of each. Default: `dns.lookup`. */
  lookup?: LookupAllFunction;
}

/** A URL that passed the check. */
export interface CheckedEndpointUrl {
  /** The URL as it may be shown: without user info, query string or fragment. */
  readonly url: string;
  /** Every address the host stood for when checked (the literal itself for an IP address). */
  readonly addresses: readonly string[];
}

const METHOD = 'POST';
const SCOPE: OptionScope = {
  where: 'checkEndpointUrl(url, options)',
  fail: (code, message) => new WebhookClientConfigError(code, message),
};

/**
 * Checks a subscriber's URL the way the client's SSRF guard will when it connects: only `http:` and
 * `https:`, and every address its host resolves to must be public (or in `allowNetworks`). Call it
 * when a customer registers an endpoint, so a private URL is refused at once instead of being retried
 * for days. The guard still checks again at every connection: DNS may answer differently later.
 *
 * Rejects with `WebhookTransportError`: `ssrf-blocked` (the message names each refused address and
 * the `allowNetworks` fix), `invalid-url`, `unsupported-protocol` or `dns-failure`. A bad option
 * throws `WebhookClientConfigError` (`unknown-option`, `invalid-option`).
 *
 * ```ts
 * await checkEndpointUrl('https://hooks.customer.example/in'); // resolves, or rejects with the reason
 * ```
 */
export async function checkEndpointUrl(
  url: string,
  options: CheckEndpointUrlOptions = {},
): Promise<CheckedEndpointUrl> {
  const given: unknown = options;
  checkOptionsObject(given, ['allowNetworks', 'lookup'], SCOPE, "{ allowNetworks: ['127.0.0.0/8'] }");
  const policy = new AddressPolicy(options.allowNetworks ?? [], SCOPE);
  const target = parseTarget(url, METHOD);
  const host = hostOf(target.url);
  const literal = isIP(host) !== 0;
  const addresses = literal ? [host] : await resolveAll(options.lookup ?? dnsLookup, host, target.safeUrl);
  const refusal = policy.refusal(host, addresses, !literal);
  if (refusal) {
    throw new WebhookTransportError('ssrf-blocked', refusal.message, METHOD, target.safeUrl, { cause: refusal });
  }
  return { url: target.safeUrl, addresses };
}

function resolveAll(lookup: LookupAllFunction, host: string, safeUrl: string): Promise<string[]> {
  const failure = (detail: string, cause?: unknown): WebhookTransportError =>
    new WebhookTransportError('dns-failure', `cannot resolve ${host} (${detail})`, METHOD, safeUrl, { cause });
  return new Promise((resolve, reject) => {
    try {
      lookup(host, { all: true }, (error, found, family) => {
        if (error) return reject(failure(error.code ?? error.message, error));
        const addresses = addressesOf(found, family).map((entry) => entry.address);
        if (addresses.length === 0) return reject(failure('ENOTFOUND'));
        resolve(addresses);
      });
    } catch (error) {
      reject(failure(error instanceof Error ? error.message : String(error), error));
    }
  });
}
