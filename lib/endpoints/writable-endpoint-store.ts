import type { EndpointStore } from '../client/endpoint';
import type { Page } from '../delivery/message-history';

/** What an endpoint is registered with. Only `url` is required. */
export interface EndpointInput {
  /** Where to POST; `http:` or `https:`. */
  readonly url: string;
  /** The customer or account it belongs to; fixed at creation. Default: none. */
  readonly owner?: string;
  /** Its own id (`^[a-zA-Z0-9._:-]{1,128}$`). Default: `ep_` and 24 random characters. */
  readonly id?: string;
  /** The webhook names it receives. Default: all. */
  readonly events?: readonly string[];
  /** For people; at most 1000 characters. */
  readonly description?: string;
  /** Extra request headers (names are HTTP tokens, values hold no CR, LF or NUL; not the `webhook-*` ones). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The app's own string key/values (at most 50 keys, 1000 characters each). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Default: true. */
  readonly enabled?: boolean;
  /** A `whsec_…` secret to start with. Default: one from `generateSecret()`. */
  readonly secret?: string;
}

/** What may change after creation; `null` clears an optional field. */
export interface EndpointPatch {
  readonly url?: string;
  readonly events?: readonly string[] | null;
  readonly description?: string | null;
  readonly headers?: Readonly<Record<string, string>> | null;
  readonly metadata?: Readonly<Record<string, string>> | null;
}

/** An endpoint as stored and listed. Never holds a secret. */
export interface StoredEndpoint {
  readonly id: string;
  readonly owner?: string;
  readonly url: string;
  readonly events?: readonly string[];
  readonly description?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly enabled: boolean;
  /** Why it was disabled: `gone` (it answered 410), `failing`, or the reason an operator gave. */
  readonly disabledReason?: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Which endpoints to list; filters combine with AND. Oldest first (`createdAt`, then id). */
export interface EndpointQuery {
  /** `undefined`: every owner's; `null`: only endpoints without an owner; a string: that owner's. */
  readonly owner?: string | null;
  /** Only endpoints that receive this webhook (an endpoint without `events` receives all). */
  readonly event?: string;
  readonly enabled?: boolean;
  /** 1 to 250. Default: 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** What creating an endpoint, or rotating its secret, answers: the only time the secret is shown. */
export interface EndpointWithSecret {
  readonly endpoint: StoredEndpoint;
  readonly secret: string;
}

/** The most a rotated-out secret keeps signing, as Svix: 7 days. Default grace: 24 hours. */
export const MAX_SECRET_GRACE_MS = 7 * 24 * 60 * 60 * 1000;
export const DEFAULT_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

/**
 * Endpoints registered at run time, per owner, kept by the app (memory, SQLite, PostgreSQL). It is also
 * the client's `EndpointStore`: `endpointsFor` and `endpointById` answer endpoints with every secret that
 * still signs (the current one and, during a grace period, the previous ones), so a rotation takes
 * effect on the next attempt. One contract suite runs against every implementation.
 *
 * The store checks what it can check alone (ids, URL syntax, headers, metadata sizes, secrets) and
 * throws `EndpointStoreError`; the SSRF check of the URL and the webhook names in `events` are checked by
 * `WebhookAdmin`, which knows the client's network policy and catalog. Ownership is not enforced here:
 * `get`/`update` take an id; `WebhookAdmin` scopes every call by owner.
 */
export interface WritableEndpointStore extends EndpointStore {
  /** Registers an endpoint; its secret is generated unless given. Rejects `duplicate-endpoint` for a taken id. */
  create(input: EndpointInput, options: { now: number }): Promise<EndpointWithSecret>;
  get(id: string): Promise<StoredEndpoint | undefined>;
  list(query: EndpointQuery): Promise<Page<StoredEndpoint>>;
  /** Rejects `unknown-endpoint`. */
  update(id: string, patch: EndpointPatch, options: { now: number }): Promise<StoredEndpoint>;
  /** Enables or disables (with a reason); rejects `unknown-endpoint`. */
  setEnabled(id: string, enabled: boolean, options: { now: number; reason?: string }): Promise<StoredEndpoint>;
  /** Deletes the endpoint and its secrets; false when it did not exist. */
  delete(id: string): Promise<boolean>;
  /**
   * Makes a new secret (generated unless given) the current one; the previous current secret keeps
   * signing until `now + graceMs` (0 to MAX_SECRET_GRACE_MS), then is dropped. Rejects `unknown-endpoint`.
   */
  rotateSecret(id: string, options: { now: number; graceMs: number; secret?: string }): Promise<EndpointWithSecret>;
}
