import type { WebhookEndpoint } from '../client/endpoint';
import type { CheckedInput } from './endpoint-fields';
import type { StoredEndpoint } from './writable-endpoint-store';

/** Every store's name for "subscribed to every webhook" in its per-event lookup: never a webhook name. */
export const ALL_EVENTS = '*';

/** The endpoint `create` stores, frozen: a caller cannot change a store's endpoint through what it was answered. */
export function newStoredEndpoint(input: CheckedInput, id: string, now: number): StoredEndpoint {
  return Object.freeze({ id, ...input.fields, enabled: input.enabled, createdAt: now, updatedAt: now });
}

/** The endpoint with its enabled state set at `now`: a reason is kept while disabled, cleared when enabled. */
export function withEnabled(
  endpoint: StoredEndpoint,
  enabled: boolean,
  now: number,
  reason: string | undefined,
): StoredEndpoint {
  const { disabledReason: _, ...rest } = endpoint;
  return Object.freeze({
    ...rest,
    enabled,
    ...(!enabled && reason !== undefined && { disabledReason: reason }),
    updatedAt: now,
  });
}

/** The keys under which an endpoint is found by `endpointsFor`: its events, or ALL_EVENTS. */
export function eventKeys(endpoint: StoredEndpoint): readonly string[] {
  return endpoint.events ?? [ALL_EVENTS];
}

/**
 * What the client signs and sends with: the endpoint and every secret that still signs (current first).
 * A new object each time, so that the client may keep it while the store changes.
 */
export function webhookEndpoint(endpoint: StoredEndpoint, secrets: readonly string[]): WebhookEndpoint {
  return {
    id: endpoint.id,
    ...(endpoint.owner !== undefined && { owner: endpoint.owner }),
    url: endpoint.url,
    ...(endpoint.events !== undefined && { events: endpoint.events }),
    ...(endpoint.headers !== undefined && { headers: endpoint.headers }),
    enabled: endpoint.enabled,
    secrets: Object.freeze([...secrets]),
  };
}
