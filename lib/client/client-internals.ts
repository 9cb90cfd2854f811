import type { DeliveryQueue } from '../delivery';
import type { EnvelopeMode } from '../envelope';
import type { LookupAllFunction } from '../transport';
import type { WebhookCatalog } from './catalog';
import type { EndpointStore } from './endpoint';

/**
 * What the management layer (`WebhookAdmin`) reads from a client it is built on: the same catalog,
 * endpoint store and queue, and the network policy that endpoint URLs are checked against at
 * registration. Kept in a module-private registry keyed by the client, so it is no part of the client's
 * public surface (no method, no symbol on the instance).
 */
export interface ClientInternals {
  readonly catalog: WebhookCatalog;
  readonly endpoints: EndpointStore;
  readonly queue: DeliveryQueue;
  /** The client's SSRF policy: `undefined` when its guard is off or its transport is the user's own. */
  readonly addressPolicy:
    { readonly allowNetworks: readonly string[]; readonly lookup?: LookupAllFunction } | undefined;
  /** How bodies are sent: `standard` wraps them in the envelope, so the documented body schema does too. */
  readonly envelope: EnvelopeMode;
  /** Tells the worker (if this process runs one) that work was made due. */
  wake(): void;
  /**
   * Forgets the endpoint's current run of failures, as `enableEndpoint()` does: after an enable (its
   * next failure starts a new run) or a delete (an id may be reused).
   */
  restartHealthClock(endpointId: string): void;
  /** Reports a failure of background work (logged, and an `error` event when someone listens). */
  report(error: unknown, what: string): void;
}

const registry = new WeakMap<object, () => ClientInternals>();

/** Called once by each client's constructor; `read` is called when the admin is built. */
export function registerClientInternals(client: object, read: () => ClientInternals): void {
  registry.set(client, read);
}

/** The internals of a client built by this copy of hookspec; undefined for anything else. */
export function clientInternals(client: object): ClientInternals | undefined {
  return registry.get(client)?.();
}
