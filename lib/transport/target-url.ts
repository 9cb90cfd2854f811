import { WebhookTransportError } from '../errors';

/** A webhook URL that may be requested, and the form of it that may be shown. */
export interface Target {
  readonly url: URL;
  /** Without user info, query string or fragment: those may hold credentials. */
  readonly safeUrl: string;
}

/**
 * Targets parsed before, by their URL: every attempt to an endpoint parses the same string, and two URL
 * parses (the URL and its shown form) cost more than the rest of preparing the request. Bounded: cleared
 * when full, as a client sending to very many receivers would otherwise keep each one. The targets are
 * never changed after parsing (a change starts from a copy, as `redactUrl` does).
 */
const parsed = new Map<string, Target>();
const MAX_PARSED = 10_000;

/**
 * Parses a delivery URL. Only `http:` and `https:` are accepted: `file:`, `data:`, `gopher:` and
 * friends are refused before anything else happens, since axios would serve some of them itself.
 */
export function parseTarget(raw: string, method: string): Target {
  const known = parsed.get(raw);
  if (known) return known;
  const target = parseNew(raw, method);
  if (parsed.size >= MAX_PARSED) parsed.clear();
  parsed.set(raw, target);
  return target;
}

function parseNew(raw: string, method: string): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // No cause: Node's URL error carries the raw input, credentials included.
    throw new WebhookTransportError('invalid-url', 'not a valid absolute URL', method, redactRawUrl(raw));
  }
  const safeUrl = redactUrl(url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookTransportError(
      'unsupported-protocol',
      `only http: and https: URLs can receive webhooks, not ${url.protocol}`,
      method,
      safeUrl,
    );
  }
  return { url, safeUrl };
}

/** The host a URL names, as the guard judges it: an IPv6 literal without its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** `https://user:pw@host:8443/hook?token=x#y` → `https://host:8443/hook`. */
export function redactUrl(url: URL): string {
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  shown.search = '';
  shown.hash = '';
  return shorten(shown.href);
}

/** The same for a string that is not a URL: drop what follows `?` or `#`, and anything before an `@`. */
function redactRawUrl(raw: string): string {
  const text = String(raw)
    .replace(/[?#][\s\S]*$/, '')
    .replace(/^([^/]*\/\/)?[^/]*@/, '$1');
  return shorten(text);
}

/** A `data:` URL can be megabytes long; a message needs its start only. */
function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
