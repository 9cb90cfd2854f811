import { WebhookClientConfigError } from '../errors';
import { checkKnownKeys, describe } from '../options';
import { sign } from '../signing';
import { redactUrl } from '../transport';
import type { EndpointStore, WebhookEndpoint } from './endpoint';

/**
 * Headers the client writes itself, and the hop-by-hop headers that belong to the connection, not the
 * message (`expect`, `upgrade`, `keep-alive`, `te`, `trailer`, `proxy-connection`: undici refuses them,
 * and with axios they would change how the request is framed): an endpoint's `headers` may not set them.
 */
const RESERVED_HEADERS = new Set([
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'content-type',
  'content-length',
  'user-agent',
  'host',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
]);

/** The keys of `WebhookEndpoint`, listed from its type so that a new one cannot be refused as unknown. */
const ENDPOINT_KEYS = Object.keys({
  id: true,
  owner: true,
  url: true,
  secret: true,
  secrets: true,
  privateKey: true,
  events: true,
  headers: true,
  enabled: true,
} satisfies Record<keyof WebhookEndpoint, true>);

/** An HTTP header name: a token (RFC 9110, section 5.6.2). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The id an endpoint is known by: its own, or its URL without credentials (ids are logged and queued). */
export function endpointId(endpoint: WebhookEndpoint): string {
  return endpoint.id ?? shownUrl(endpoint.url);
}

/** Every key an endpoint signs with, in order: secrets, then the private key. */
export function endpointKeys(endpoint: WebhookEndpoint): string[] {
  return [
    ...(endpoint.secret !== undefined ? [endpoint.secret] : []),
    ...(endpoint.secrets ?? []),
    ...(endpoint.privateKey !== undefined ? [endpoint.privateKey] : []),
  ];
}

/** `https://user:pw@host/hook?token=x` → `https://host/hook`, for messages, logs and events. */
export function shownUrl(url: string): string {
  try {
    return redactUrl(new URL(url));
  } catch {
    return '(an invalid URL)';
  }
}

/**
 * Checks an endpoint completely, so that a bad one fails when it is configured rather than at its first
 * attempt. Messages name the endpoint by position and redacted URL, never by a secret. `knownKeysOnly`
 * refuses keys that are not `WebhookEndpoint`'s (a typo like `secrte`) in a list written for the
 * client; a store's endpoints are often database rows with columns of their own, so they may carry more.
 */
export function checkEndpoint(
  endpoint: WebhookEndpoint,
  where: string,
  eventNames: readonly string[],
  { knownKeysOnly }: { knownKeysOnly: boolean },
): void {
  if (typeof endpoint !== 'object' || endpoint === null || Array.isArray(endpoint)) {
    throw new WebhookClientConfigError('invalid-endpoint', `${where}: an endpoint is an object: { url, secret }.`);
  }
  const label = typeof endpoint.url === 'string' ? `${where} (${shownUrl(endpoint.url)})` : where;
  if (knownKeysOnly) {
    checkKnownKeys(endpoint as unknown as Record<string, unknown>, ENDPOINT_KEYS, {
      where: label,
      fail: (code, message) => new WebhookClientConfigError(code, message),
    });
  }
  if (typeof endpoint.url !== 'string') {
    throw new WebhookClientConfigError('invalid-endpoint', `${where}: an endpoint needs a url: { url, secret }.`);
  }
  let url: URL;
  try {
    url = new URL(endpoint.url);
  } catch {
    throw new WebhookClientConfigError('invalid-endpoint', `${label}: the url is not a valid absolute URL.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookClientConfigError(
      'invalid-endpoint',
      `${label}: only http: and https: URLs receive webhooks, not ${url.protocol}.`,
    );
  }
  if (endpoint.owner !== undefined && (typeof endpoint.owner !== 'string' || endpoint.owner === '')) {
    throw new WebhookClientConfigError(
      'invalid-endpoint',
      `${label}: owner must be a non-empty string (the customer or account id), got ${describe(endpoint.owner)}.`,
    );
  }
  const keys = endpointKeys(endpoint);
  if (keys.length === 0) {
    throw new WebhookClientConfigError(
      'invalid-endpoint',
      `${label}: no key to sign with. Give it a secret (generateSecret()), secrets (during rotation) or a privateKey.`,
    );
  }
  try {
    sign({ id: 'msg_check', timestamp: 0, body: '' }, keys);
  } catch (error) {
    throw new WebhookClientConfigError('invalid-endpoint', `${label}: ${(error as Error).message}`, { cause: error });
  }
  for (const event of endpoint.events ?? []) {
    if (!eventNames.includes(event)) {
      throw new WebhookClientConfigError(
        'unknown-event',
        `${label}: events lists '${event}', which is not one of the client's webhooks (${eventNames.join(', ')}).`,
      );
    }
  }
  checkHeaders(endpoint.headers, label);
}

/**
 * Header names must be HTTP tokens and values must hold no CR, LF or NUL: Node and axios would refuse
 * or silently rewrite them on the wire, so the receiver would get something else than configured.
 * The values are never shown: they are often API keys.
 */
function checkHeaders(headers: unknown, label: string): void {
  if (headers === undefined) return;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw new WebhookClientConfigError('invalid-endpoint', `${label}: headers must be an object of name: value.`);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) {
      throw new WebhookClientConfigError(
        'invalid-endpoint',
        `${label}: headers has the name ${JSON.stringify(name)}, which is not an HTTP header name ` +
          "(letters, digits and !#$%&'*+-.^_`|~ only, no spaces or colons).",
      );
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new WebhookClientConfigError(
        'reserved-header',
        `${label}: headers may not set '${name}'; the client writes it itself, or it belongs to the connection.`,
      );
    }
    if (typeof value !== 'string') {
      throw new WebhookClientConfigError(
        'invalid-endpoint',
        `${label}: headers['${name}'] must be a string, got ${describe(value)}.`,
      );
    }
    if (/[\r\n\0]/.test(value)) {
      throw new WebhookClientConfigError(
        'invalid-endpoint',
        `${label}: headers['${name}'] holds a line break (CR or LF) or a NUL, which would be altered or split ` +
          'on the wire. Remove it from the value.',
      );
    }
  }
}

/** Endpoints given as a list: checked once, looked up in memory. */
export class StaticEndpointStore implements EndpointStore {
  private readonly byId = new Map<string, WebhookEndpoint>();
  /** `endpointsFor` by event, built on first use: it runs on every `send()`. Cleared when an endpoint changes. */
  private readonly byEvent = new Map<string, readonly WebhookEndpoint[]>();

  constructor(endpoints: readonly WebhookEndpoint[], eventNames: readonly string[]) {
    endpoints.forEach((endpoint, index) => {
      checkEndpoint(endpoint, `endpoints[${index}]`, eventNames, { knownKeysOnly: true });
      const id = endpointId(endpoint);
      if (this.byId.has(id)) {
        throw new WebhookClientConfigError(
          'duplicate-endpoint',
          `endpoints[${index}] (${shownUrl(endpoint.url)}): another endpoint has the id '${id}'. ` +
            `Give each endpoint its own id.`,
        );
      }
      this.byId.set(id, { ...endpoint });
    });
  }

  async endpointsFor(event: string): Promise<readonly WebhookEndpoint[]> {
    let subscribed = this.byEvent.get(event);
    if (subscribed === undefined) {
      subscribed = Object.freeze(
        [...this.byId.values()].filter((endpoint) => !endpoint.events || endpoint.events.includes(event)),
      );
      this.byEvent.set(event, subscribed);
    }
    return subscribed;
  }

  async endpointById(id: string): Promise<WebhookEndpoint | undefined> {
    return this.byId.get(id);
  }

  async disable(id: string): Promise<void> {
    this.replace(id, { enabled: false });
  }

  async enable(id: string): Promise<void> {
    this.replace(id, { enabled: true });
  }

  private replace(id: string, change: Partial<WebhookEndpoint>): void {
    const endpoint = this.byId.get(id);
    if (!endpoint) return;
    this.byId.set(id, { ...endpoint, ...change });
    this.byEvent.clear();
  }
}
