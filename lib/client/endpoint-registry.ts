import { WebhookClientConfigError } from '../errors';
import { sign } from '../signing';
import { redactUrl } from '../transport';
import type { EndpointStore, WebhookEndpoint } from './endpoint';

/** Headers the client writes itself; an endpoint's `headers` may not replace them. */
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
]);

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
 * attempt. Messages name the endpoint by position and redacted URL, never by a secret.
 */
export function checkEndpoint(endpoint: WebhookEndpoint, where: string, eventNames: readonly string[]): void {
  if (typeof endpoint !== 'object' || endpoint === null || typeof endpoint.url !== 'string') {
    throw new WebhookClientConfigError('invalid-endpoint', `${where}: an endpoint needs a url: { url, secret }.`);
  }
  const label = `${where} (${shownUrl(endpoint.url)})`;
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
  for (const name of Object.keys(endpoint.headers ?? {})) {
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new WebhookClientConfigError(
        'reserved-header',
        `${label}: headers may not set '${name}'; the client writes it itself.`,
      );
    }
  }
}

/** Endpoints given as a list: checked once, looked up in memory. */
export class StaticEndpointStore implements EndpointStore {
  private readonly byId = new Map<string, WebhookEndpoint>();

  constructor(endpoints: readonly WebhookEndpoint[], eventNames: readonly string[]) {
    endpoints.forEach((endpoint, index) => {
      checkEndpoint(endpoint, `endpoints[${index}]`, eventNames);
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
    return [...this.byId.values()].filter((endpoint) => !endpoint.events || endpoint.events.includes(event));
  }

  async endpointById(id: string): Promise<WebhookEndpoint | undefined> {
    return this.byId.get(id);
  }

  async disable(id: string): Promise<void> {
    const endpoint = this.byId.get(id);
    if (endpoint) this.byId.set(id, { ...endpoint, enabled: false });
  }

  async enable(id: string): Promise<void> {
    const endpoint = this.byId.get(id);
    if (endpoint) this.byId.set(id, { ...endpoint, enabled: true });
  }
}
