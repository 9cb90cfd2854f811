import { WebhookClientConfigError } from '../errors';
import { checkKnownKeys, describe } from '../options';
import { sign } from '../signing';
import { redactUrl } from '../transport';
import type { EndpointStore, WebhookEndpoint } from './endpoint';
import { findHeadersProblem, findUrlProblem } from './endpoint-checks';

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
  const urlProblem = findUrlProblem(endpoint.url);
  if (urlProblem !== undefined) throw new WebhookClientConfigError('invalid-endpoint', `${label}: ${urlProblem}`);
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
  const headersProblem = findHeadersProblem(endpoint.headers);
  if (headersProblem !== undefined) {
    throw new WebhookClientConfigError(headersProblem.code, `${label}: ${headersProblem.message}`);
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
