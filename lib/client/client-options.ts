import type { DeliveryQueue, RetryOptions } from '../delivery';
import { checkRetryOptions, RetryPolicy } from '../delivery';
import { ENVELOPE_MODES } from '../envelope';
import type { EnvelopeMode } from '../envelope';
import type { UnknownProperties } from '../metadata';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../payload';
import { WebhookClientConfigError } from '../errors';
import { checkOptionsObject, describe, durationMs, oneOf, positiveInteger } from '../options';
import type { OptionScope } from '../options';
import { MemoryQueue } from '../queues/memory';
import { createAxiosTransport, createUndiciTransport } from '../transport';
import type { GuardedTransportOptions, LookupAllFunction, Transport } from '../transport';
import { WebhookCatalog } from './catalog';
import type { WebhookClass } from './catalog-types';
import type { EndpointStore } from './endpoint';
import { StaticEndpointStore } from './endpoint-registry';
import type { WebhookLogger } from './logger';
import { silentLogger } from './logger';
import type { BuiltInTransport, WebhookClientOptions } from './webhook-client-options';

const DEFAULT_TIMEOUT_MS = 15_000;
/** A lease outlives the attempt's deadline by this much, so a live worker never loses its lease. */
const LEASE_MARGIN_MS = 60_000;
/** As long as Svix lets an endpoint fail before disabling it. */
const DEFAULT_DISABLE_FAILING_AFTER_MS = 5 * 24 * 60 * 60 * 1000;

/**
 * Every key `new WebhookClient(options)` reads. `unknownProperties` and `maxPayloadBytes` belong to
 * the payload handling of `send()`, which reads them itself.
 */
export const CLIENT_OPTION_KEYS = [
  'webhooks',
  'endpoints',
  'retry',
  'timeoutMs',
  'allowNetworks',
  'ssrfGuard',
  'axios',
  'proxy',
  'lookup',
  'transport',
  'logger',
  'envelope',
  'concurrency',
  'endpointConcurrency',
  'leaseMs',
  'disableFailingEndpointAfterMs',
  'queue',
  'worker',
  'unknownProperties',
  'maxPayloadBytes',
] as const;

/** Where the client's options are read; its users catch `WebhookClientConfigError`. */
export const CLIENT_SCOPE: OptionScope = {
  where: 'new WebhookClient(options)',
  fail: (code, message) => new WebhookClientConfigError(code, message),
};

/** The client's options, checked and with their defaults. */
export interface ResolvedClientOptions {
  readonly catalog: WebhookCatalog;
  readonly endpoints: EndpointStore;
  /** Endpoints from a store were never checked at construction: each attempt checks its endpoint. */
  readonly checkEndpointsBeforeAttempt: boolean;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly endpointConcurrency: number;
  readonly leaseMs: number;
  readonly envelope: EnvelopeMode;
  /** What `send()` does with properties the payload class does not declare, unless the webhook says. */
  readonly unknownProperties: UnknownProperties;
  /** The largest body `send()` accepts, in bytes, envelope included. */
  readonly maxPayloadBytes: number;
  /** Undefined when failing endpoints are never disabled. */
  readonly disableFailingAfterMs: number | undefined;
  /** The retry policy of each webhook: the client's `retry`, overridden by the webhook's own. */
  readonly policies: ReadonlyMap<string, RetryPolicy>;
  readonly logger: WebhookLogger;
  readonly queue: DeliveryQueue;
  readonly transport: Transport;
  /** The client created the transport, so it closes it. */
  readonly ownsTransport: boolean;
  readonly worker: boolean;
  /** The SSRF policy endpoint URLs are checked against at registration; undefined when there is none. */
  readonly addressPolicy:
    { readonly allowNetworks: readonly string[]; readonly lookup?: LookupAllFunction } | undefined;
}

/**
 * Checks every option before anything is created, so a bad one throws `WebhookClientConfigError`
 * (`unknown-option` with a did-you-mean, `invalid-option`, or an endpoint's own code) and nothing
 * is left running.
 */
export function resolveClientOptions<C extends readonly WebhookClass[]>(
  options: WebhookClientOptions<C>,
): ResolvedClientOptions {
  checkOptionsObject(
    options,
    CLIENT_OPTION_KEYS,
    CLIENT_SCOPE,
    '{ webhooks: [Subscription], endpoints: [{ url, secret }] }',
  );
  const catalog = new WebhookCatalog(options.webhooks);
  const isList = Array.isArray(options.endpoints);
  const endpoints = isList
    ? new StaticEndpointStore(options.endpoints as readonly [], catalog.names())
    : checkStore(options.endpoints as EndpointStore);
  const timeoutMs = durationMs(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs', CLIENT_SCOPE);
  const leaseMs = durationMs(options.leaseMs, timeoutMs + LEASE_MARGIN_MS, 'leaseMs', CLIENT_SCOPE);
  if (leaseMs <= timeoutMs) {
    throw CLIENT_SCOPE.fail(
      'invalid-option',
      `${CLIENT_SCOPE.where}: leaseMs (${leaseMs}) must be longer than timeoutMs (${timeoutMs}): a lease that ends ` +
        'before its attempt would hand the same delivery to a second worker while the first is still sending it. ' +
        `Raise leaseMs (e.g. to ${timeoutMs + LEASE_MARGIN_MS}) or lower timeoutMs.`,
    );
  }
  if (options.worker === false && options.queue === undefined) {
    throw CLIENT_SCOPE.fail(
      'invalid-option',
      `${CLIENT_SCOPE.where}: worker: false only enqueues, and the default in-memory queue is seen by this ` +
        'process alone, so nothing would ever deliver. Give a shared queue (SQLite on one machine, BullMQ on ' +
        'Redis) or leave worker on.',
    );
  }
  const resolved = {
    catalog,
    endpoints,
    checkEndpointsBeforeAttempt: !isList,
    timeoutMs,
    concurrency: positiveInteger(options.concurrency, 50, 'concurrency', CLIENT_SCOPE),
    endpointConcurrency: positiveInteger(options.endpointConcurrency, 10, 'endpointConcurrency', CLIENT_SCOPE),
    leaseMs,
    envelope: oneOf<EnvelopeMode>(options.envelope, 'none', ENVELOPE_MODES, 'envelope', CLIENT_SCOPE),
    unknownProperties: oneOf<UnknownProperties>(
      options.unknownProperties,
      'strip',
      ['strip', 'reject'],
      'unknownProperties',
      CLIENT_SCOPE,
    ),
    maxPayloadBytes: positiveInteger(
      options.maxPayloadBytes,
      DEFAULT_MAX_PAYLOAD_BYTES,
      'maxPayloadBytes',
      CLIENT_SCOPE,
    ),
    disableFailingAfterMs:
      options.disableFailingEndpointAfterMs === false
        ? undefined
        : durationMs(
            options.disableFailingEndpointAfterMs,
            DEFAULT_DISABLE_FAILING_AFTER_MS,
            'disableFailingEndpointAfterMs',
            CLIENT_SCOPE,
          ),
    policies: retryPolicies(catalog, options.retry),
    logger: options.logger ?? silentLogger,
  };
  // Created last: the queue and the transport may hold resources, and every check above has passed.
  const own = typeof options.transport === 'object' && options.transport !== null ? undefined : builtIn(options);
  const transport = own ? ownTransport(own, options) : (options.transport as Transport);
  return {
    ...resolved,
    queue: options.queue ?? new MemoryQueue(),
    transport,
    ownsTransport: own !== undefined,
    worker: options.worker !== false,
    addressPolicy:
      own === undefined || options.ssrfGuard === false
        ? undefined
        : { allowNetworks: options.allowNetworks ?? [], ...(options.lookup ? { lookup: options.lookup } : {}) },
  };
}

/** One policy per webhook; the client's `retry` and each `@Webhook({ retry })` are checked by the policy's own rules. */
function retryPolicies(catalog: WebhookCatalog, retry: unknown): Map<string, RetryPolicy> {
  checkRetryOptions(retry as RetryOptions | undefined, 'new WebhookClient({ retry })');
  const policies = new Map<string, RetryPolicy>();
  for (const name of catalog.names()) {
    const own = catalog.get(name)?.options.retry;
    checkRetryOptions(own, `@Webhook('${name}', { retry })`);
    policies.set(name, new RetryPolicy({ ...(retry as RetryOptions | undefined), ...own }));
  }
  return policies;
}

/** Which built-in transport the options ask for (checked before anything is created). */
function builtIn<C extends readonly WebhookClass[]>(options: WebhookClientOptions<C>): BuiltInTransport {
  const kind = options.transport ?? 'axios';
  if (kind !== 'axios' && kind !== 'undici') {
    throw CLIENT_SCOPE.fail(
      'invalid-option',
      `${CLIENT_SCOPE.where}: transport must be 'axios', 'undici' or a Transport ({ send, close }), ` +
        `got ${describe(kind)}.`,
    );
  }
  if (kind === 'undici' && options.axios !== undefined) {
    throw CLIENT_SCOPE.fail(
      'invalid-option',
      `${CLIENT_SCOPE.where}: axios is an instance for the axios transport, and transport is 'undici'. ` +
        'Drop one: keep axios (and its interceptors) with the default transport, or drop axios for undici.',
    );
  }
  return kind;
}

function ownTransport<C extends readonly WebhookClass[]>(
  kind: BuiltInTransport,
  options: WebhookClientOptions<C>,
): Transport {
  const shared: GuardedTransportOptions = {
    ...(options.allowNetworks ? { allowNetworks: options.allowNetworks } : {}),
    ...(options.ssrfGuard !== undefined ? { ssrfGuard: options.ssrfGuard } : {}),
    ...(options.proxy !== undefined ? { proxy: options.proxy } : {}),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  };
  if (kind === 'undici') {
    const connectionsPerOrigin = positiveInteger(options.concurrency, 50, 'concurrency', CLIENT_SCOPE);
    return createUndiciTransport({ ...shared, connectionsPerOrigin }, CLIENT_SCOPE);
  }
  return createAxiosTransport({ ...shared, ...(options.axios ? { axios: options.axios } : {}) }, CLIENT_SCOPE);
}

function checkStore(store: EndpointStore): EndpointStore {
  if (typeof store?.endpointsFor !== 'function' || typeof store.endpointById !== 'function') {
    throw new WebhookClientConfigError(
      'invalid-endpoints',
      'endpoints must be a list of { url, secret } or a store with endpointsFor(event) and endpointById(id); ' +
        `got ${describe(store)}.`,
    );
  }
  return store;
}
