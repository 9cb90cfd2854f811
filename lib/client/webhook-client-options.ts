import type { AxiosInstance, AxiosProxyConfig } from 'axios';
import type { DeliveryQueue, OutboxTransaction, RetryOptions } from '../delivery';
import type { EnvelopeMode } from '../envelope';
import type { UnknownProperties } from '../metadata';
import type { LookupAllFunction, Transport } from '../transport';
import type { WebhookClass } from './catalog-types';
import type { EndpointStore, WebhookEndpoint } from './endpoint';
import type { WebhookLogger } from './logger';

/** The transports a client can build itself: see `WebhookClientOptions.transport`. */
export type BuiltInTransport = 'axios' | 'undici';

/**
 * The options of `new WebhookClient(options)`. Every one is checked when the client is built: a key
 * that is not one of these (or of `retry`, or of an endpoint in a list) throws `WebhookClientConfigError`
 * `unknown-option` naming the closest known key; a bad value throws `invalid-option`.
 */
export interface WebhookClientOptions<C extends readonly WebhookClass[]> {
  /** The webhook classes this client sends: payload classes and catalog classes. `send()` takes only their payloads. */
  webhooks: C;
  /** Where to deliver: a list, checked at construction, or a store looked up on every send and attempt. */
  endpoints: readonly WebhookEndpoint[] | EndpointStore;
  /** The retry schedule, jitter and Retry-After bound. Default: the Standard Webhooks schedule, ±20 % jitter. */
  retry?: RetryOptions;
  /** Total deadline of one attempt (connect, send, response), in milliseconds. Default: 15000. */
  timeoutMs?: number;
  /** CIDR ranges the SSRF guard lets through, e.g. `['127.0.0.0/8', '::1/128']` for local development. Default: none. */
  allowNetworks?: readonly string[];
  /** Refuse private, loopback, link-local and other non-public addresses. Default: true. */
  ssrfGuard?: boolean;
  /** Your axios instance (its interceptors run); the client still sets its agents, redirect and proxy rules. Default: its own. */
  axios?: AxiosInstance;
  /** An explicit proxy; for `http:` targets (with undici, for all) its own address must pass the SSRF guard. Default: false (`HTTP(S)_PROXY` are ignored). */
  proxy?: AxiosProxyConfig | false;
  /** Resolves host names for the SSRF guard of the built-in transports. Default: `dns.lookup`. */
  lookup?: LookupAllFunction;
  /**
   * Which transport sends the attempts. `'axios'` and `'undici'` are the built-in ones, with the same
   * guarantees (SSRF guard at connect time, one deadline, 20 kB of the response, no redirects, keep-alive)
   * and the options above; `'undici'` needs the optional peer `undici@7` and takes no `axios`. A
   * `Transport` of your own replaces both, and the SSRF guard with them. Default: `'axios'`.
   */
  transport?: Transport | BuiltInTransport;
  /** A pino-compatible logger. Default: silent. */
  logger?: WebhookLogger;
  /** `standard` wraps bodies as `{ type, timestamp, data }`; `buildOpenApi` must be told the same. Default: `none`. */
  envelope?: EnvelopeMode;
  /** Attempts in flight at once over all endpoints. Default: 50. */
  concurrency?: number;
  /** Attempts in flight at once to one endpoint, so a slow endpoint cannot take every slot. Default: 10. */
  endpointConcurrency?: number;
  /**
   * How long a worker holds a delivery it is attempting; if the process dies, the delivery returns to
   * the queue after this long. Must be longer than `timeoutMs`. Default: `timeoutMs` + 60000.
   */
  leaseMs?: number;
  /**
   * Disable an endpoint whose attempts have all failed (no 2xx) for this long, and emit
   * `endpoint-disabled` with reason `failing`; its pending deliveries end as `disabled` and can be sent
   * again with `redeliver()` after `enableEndpoint()`. Counted per client process. `false` never
   * disables for failures (410 still does). Default: 5 days.
   */
  disableFailingEndpointAfterMs?: number | false;
  /** Where accepted messages wait. Default: a `MemoryQueue` (lost if the process dies). */
  queue?: DeliveryQueue;
  /** Deliver from this process. `false` only enqueues, for a producer whose workers run elsewhere. Default: true. */
  worker?: boolean;
  /**
   * What `send()` does with properties of a payload that its class does not declare (at any depth; they
   * are not in the document): `strip` leaves them out of the body, `reject` refuses the payload with a
   * `WebhookValidationError` naming each path. A webhook's own `@Webhook(name, { unknownProperties })`
   * wins. Default: `strip`.
   */
  unknownProperties?: UnknownProperties;
  /**
   * The largest body `send()` accepts, in bytes, envelope included; a larger payload is refused with a
   * `WebhookSendError` (`payload-too-large`) and nothing is queued. Default: 1048576 (1 MiB, the receivers' limit).
   */
  maxPayloadBytes?: number;
}

/**
 * What `send()` resolves with, once the message is accepted by the queue. `N` is the client's webhook
 * names (its third type parameter), `string` unless stated.
 */
export interface SendResult<N extends string = string> {
  /** The `webhook-id`, the same on every attempt: use it with `getMessage()` and `redeliver()`. */
  readonly id: string;
  /** The webhook's name. */
  readonly event: N;
  /** The owner it was sent for, as given to `send()`. */
  readonly owner?: string;
  /** One per subscribed, enabled endpoint; empty when no endpoint takes this event. */
  readonly deliveries: readonly { readonly endpointId: string; readonly url: string }[];
  /**
   * Subscribed endpoints that were disabled: nothing is sent to them, and the message keeps a `disabled`
   * delivery for each, which `recover()` (or `redeliver()`, once the endpoint is enabled) sends.
   */
  readonly skipped: readonly {
    readonly endpointId: string;
    readonly url: string;
    readonly reason: 'endpoint-disabled';
  }[];
}

/**
 * What `send(payload, { tx })` resolves with: the message is written in the caller's transaction, and
 * its deliveries are made by a worker after the commit (see `getMessage()` then).
 */
export interface TransactionalSendResult<N extends string = string> {
  /** The `webhook-id`, the same on every attempt. */
  readonly id: string;
  /** The webhook's name. */
  readonly event: N;
  /** The owner it was sent for, as given to `send()`. */
  readonly owner?: string;
}

/** Why `redeliver()` left a delivery as it was. */
export type RedeliverSkipReason =
  /** It is still pending: it is already being delivered. */
  | 'pending'
  /** It was delivered, and `includeDelivered` was not set. */
  | 'delivered'
  /** Its message's payload was erased: there is nothing to send. */
  | 'payload-erased'
  /** Its endpoint is disabled: enable it first (it would only be disabled again). */
  | 'endpoint-disabled'
  /** Its endpoint no longer exists in the store. */
  | 'endpoint-deleted';

/** What `redeliver()` did: how many deliveries start again, and why each other one did not. */
export interface RedeliverResult {
  readonly restarted: number;
  readonly skipped: readonly { readonly endpointId: string; readonly reason: RedeliverSkipReason }[];
}

/**
 * Options of one `send()`. `N` is the client's webhook names: decorators cannot tell the type system the
 * names, so state them as the client's third type parameter to have `event` checked at compile time
 * (`WebhookClient<typeof webhooks, CatalogPayload<typeof webhooks>, 'payment-success' | 'payment-failed'>`).
 */
export interface SendOptions<N extends string = string> {
  /** The webhook to send as, when the payload's class serves several. Default: the only one. */
  event?: N;
  /**
   * The customer or account this message is for: only endpoints with this same `owner` receive it, and
   * the message records it. Default: none — only endpoints without an owner receive it. Routing is
   * always this explicit value, never inferred from async context.
   */
  owner?: string;
  /**
   * Deliver only to these endpoints (each must exist and belong to `owner`), whatever their `events`
   * filter: for a test event or a targeted send. Default: every endpoint of the owner subscribed to the webhook.
   */
  endpointIds?: readonly string[];
}

/** Options of a `send()` written in the caller's open transaction: the transactional outbox. */
export interface TransactionalSendOptions<N extends string = string> extends SendOptions<N> {
  /**
   * The caller's open transaction: the message is written in it as one row, committed or rolled back
   * with the business write, and nothing is attempted before the commit; a worker matches its endpoints
   * and delivers it after. Needs a queue with an outbox: `PostgresQueue` (a `pg` client or TypeORM
   * `EntityManager` in a transaction, or `prismaTx()`, `kyselyTx()`, `knexTx()`, `drizzleTx()` of
   * `hookspec/postgres`), or `SqliteQueue` on the app's own database. See docs/outbox.md.
   */
  tx: OutboxTransaction;
}
