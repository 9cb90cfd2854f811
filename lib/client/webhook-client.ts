import { EventEmitter } from 'node:events';
import type { DeliveryQueue, Lease, MessageView, RetryDecision, RetryOptions } from '../delivery';
import { checkRetryOptions, DeliveryWorker, RetryPolicy } from '../delivery';
import { MemoryQueue } from '../queues/memory';
import type { AttemptResult } from '../delivery';
import { WebhookClientConfigError, WebhookSendError } from '../errors';
import { DEFAULT_MAX_PAYLOAD_BYTES, preparePayload } from '../payload';
import type { UnknownProperties } from '../metadata';
import { oneOf, positiveInteger as wholeNumberAboveZero } from '../options';
import type { EnvelopeMode } from '../envelope';
import { createAxiosTransport } from '../transport';
import type { Transport } from '../transport';
import { WebhookCatalog } from './catalog';
import type { CatalogPayload, WebhookClass } from './catalog-types';
import type { EndpointDisabledEvent, WebhookClientEvents } from './client-events';
import type { EndpointStore } from './endpoint';
import { endpointId, shownUrl, StaticEndpointStore } from './endpoint-registry';
import { createDeliverAttempt } from './deliver-attempt';
import type { WebhookLogger } from './logger';
import { silentLogger } from './logger';
import { newMessageId } from './message-id';
import type { SendOptions, SendResult, WebhookClientOptions } from './webhook-client-options';

const DEFAULT_TIMEOUT_MS = 15_000;
/** The longest timer Node can set. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** A lease outlives the attempt's deadline by this much, so a live worker never loses its lease. */
const LEASE_MARGIN_MS = 60_000;
/** As long as Svix lets an endpoint fail before disabling it. */
const DEFAULT_DISABLE_FAILING_AFTER_MS = 5 * 24 * 60 * 60 * 1000;

/**
 * Sends webhooks: validates a payload, serialises it once, queues one delivery per subscribed endpoint,
 * and delivers each signed (Standard Webhooks), retrying until it is delivered or exhausted.
 *
 * ```ts
 * const client = new WebhookClient({ webhooks: [Subscription], endpoints: [{ url, secret }] });
 * const { id } = await client.send(subscription);
 * ```
 */
export class WebhookClient<
  C extends readonly WebhookClass[] = readonly WebhookClass[],
  P extends object = CatalogPayload<C>,
  N extends string = string,
> extends EventEmitter<WebhookClientEvents> {
  private readonly catalog: WebhookCatalog;
  private readonly endpoints: EndpointStore;
  private readonly queue: DeliveryQueue;
  private readonly transport: Transport;
  private readonly ownsTransport: boolean;
  private readonly logger: WebhookLogger;
  private readonly envelope: EnvelopeMode;
  private readonly worker: DeliveryWorker | undefined;
  private readonly policies = new Map<string, RetryPolicy>();
  private closed: Promise<void> | undefined;
  private readonly shownUrls = new Map<string, string>();
  /** When each endpoint's current run of failed attempts began; an endpoint that just succeeded has none. */
  private readonly failingSince = new Map<string, number>();
  private readonly disableFailingAfterMs: number | undefined;
  private readonly unknownProperties: UnknownProperties;
  private readonly maxPayloadBytes: number;

  constructor(options: WebhookClientOptions<C>) {
    super();
    if (typeof options !== 'object' || options === null) {
      throw new WebhookClientConfigError('invalid-options', 'new WebhookClient(options) needs an options object.');
    }
    this.catalog = new WebhookCatalog(options.webhooks);
    this.endpoints = Array.isArray(options.endpoints)
      ? new StaticEndpointStore(options.endpoints, this.catalog.names())
      : checkStore(options.endpoints as EndpointStore);
    const timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
    const concurrency = positiveInteger(options.concurrency, 50, 'concurrency');
    const endpointConcurrency = positiveInteger(options.endpointConcurrency, 10, 'endpointConcurrency');
    const leaseMs = options.leaseMs ?? timeoutMs + LEASE_MARGIN_MS;
    if (!(Number.isFinite(leaseMs) && leaseMs > timeoutMs)) {
      throw new WebhookClientConfigError(
        'invalid-options',
        `leaseMs (${leaseMs}) must be longer than timeoutMs (${timeoutMs}): a lease that ends before its attempt ` +
          'would hand the same delivery to a second worker while the first is still sending it. ' +
          `Raise leaseMs (e.g. to ${timeoutMs + LEASE_MARGIN_MS}) or lower timeoutMs.`,
      );
    }
    const payloadScope = {
      where: 'new WebhookClient(options)',
      fail: (code: 'unknown-option' | 'invalid-option', message: string) => new WebhookClientConfigError(code, message),
    };
    this.unknownProperties = oneOf(
      options.unknownProperties,
      'strip',
      ['strip', 'reject'],
      'unknownProperties',
      payloadScope,
    );
    this.maxPayloadBytes = wholeNumberAboveZero(
      options.maxPayloadBytes,
      DEFAULT_MAX_PAYLOAD_BYTES,
      'maxPayloadBytes',
      payloadScope,
    );
    this.envelope = options.envelope ?? 'none';
    if (this.envelope !== 'none' && this.envelope !== 'standard') {
      throw new WebhookClientConfigError(
        'invalid-options',
        `envelope must be 'none' or 'standard', got '${String(this.envelope)}'.`,
      );
    }
    this.disableFailingAfterMs =
      options.disableFailingEndpointAfterMs === false
        ? undefined
        : positive(
            options.disableFailingEndpointAfterMs,
            DEFAULT_DISABLE_FAILING_AFTER_MS,
            'disableFailingEndpointAfterMs',
          );
    this.buildPolicies(options.retry);
    this.logger = options.logger ?? silentLogger;
    if (options.worker === false && options.queue === undefined) {
      throw new WebhookClientConfigError(
        'invalid-options',
        'worker: false only enqueues, and the default in-memory queue is seen by this process alone, so nothing ' +
          'would ever deliver. Give a shared queue (SQLite on one machine, BullMQ on Redis) or leave worker on.',
      );
    }
    this.queue = options.queue ?? new MemoryQueue();
    this.ownsTransport = options.transport === undefined;
    this.transport = options.transport ?? ownTransport(options);
    if (options.worker !== false) {
      const deliver = createDeliverAttempt({
        endpoints: this.endpoints,
        transport: this.transport,
        timeoutMs,
        now: Date.now,
        // Endpoints from a store were never checked at construction: check them before each attempt.
        checkEndpoint: Array.isArray(options.endpoints) ? undefined : this.catalog.names(),
      });
      this.worker = new DeliveryWorker(this.queue, deliver, {
        concurrency,
        endpointConcurrency,
        leaseMs,
        policyFor: (event) => this.policies.get(event) as RetryPolicy,
        onSettled: (lease, result, decision) => this.settled(lease, result, decision),
        onError: (error) => this.report(error, 'the delivery queue failed; retrying in a second'),
      });
      this.worker.start();
    }
  }

  /**
   * Validates the payload (class-validator), serialises it, and queues one delivery per enabled endpoint
   * subscribed to its webhook. Resolves once the queue has accepted the message; from then on it is
   * delivered or ends exhausted with its attempt log. Rejects with `WebhookValidationError` (nothing is
   * queued) or `WebhookSendError`.
   */
  async send(payload: P, options: SendOptions<N> = {}): Promise<SendResult<N>> {
    this.assertOpen('send()');
    const definition = this.catalog.resolve(payload, options.event);
    const now = Date.now();
    const body = await preparePayload(payload, definition.payload, {
      event: definition.name,
      envelope: this.envelope,
      now: new Date(now),
      unknownProperties: definition.options.unknownProperties ?? this.unknownProperties,
      maxPayloadBytes: this.maxPayloadBytes,
    });
    const message = { id: newMessageId(), event: definition.name, body, createdAt: now };
    const endpoints = (await this.endpoints.endpointsFor(definition.name)).filter(
      (e) => e.enabled !== false && (!e.events || e.events.includes(definition.name)),
    );
    // The queue keeps the URL for people to read, without credentials; attempts use the endpoint's own.
    const deliveries = endpoints.map((endpoint) => ({
      endpointId: endpointId(endpoint),
      url: this.shownUrl(endpoint.url),
      nextAttemptAt: now,
    }));
    if (deliveries.length > 0) await this.queue.enqueue(message, deliveries);
    this.logger.debug(
      { messageId: message.id, event: message.event, deliveries: deliveries.length },
      'webhook accepted',
    );
    this.worker?.wake();
    return {
      id: message.id,
      event: message.event as N,
      deliveries: deliveries.map((d) => ({ endpointId: d.endpointId, url: d.url })),
    };
  }

  /** A message with each delivery's status and attempt log; undefined when the queue does not know it. */
  async getMessage(id: string): Promise<MessageView | undefined> {
    return this.queue.getMessage(id);
  }

  /**
   * Sends an exhausted (or disabled-endpoint) message again, with the same `webhook-id` and bytes and a
   * fresh retry schedule; only to `endpointId` when given. Resolves with the number of deliveries restarted.
   */
  async redeliver(id: string, options: { endpointId?: string } = {}): Promise<number> {
    this.assertOpen('redeliver()');
    const view = await this.queue.getMessage(id);
    if (!view) {
      throw new WebhookSendError('unknown-message', `redeliver('${id}'): the queue holds no message with this id.`);
    }
    let count = 0;
    for (const delivery of view.deliveries) {
      if (options.endpointId !== undefined && delivery.endpointId !== options.endpointId) continue;
      if (delivery.status !== 'exhausted' && delivery.status !== 'disabled') continue;
      // A delivery to a still-disabled endpoint would only be disabled again: it waits for enableEndpoint().
      const endpoint = await this.endpoints.endpointById(delivery.endpointId);
      if (!endpoint || endpoint.enabled === false) continue;
      count += await this.queue.redeliver(id, { now: Date.now(), endpointId: delivery.endpointId });
    }
    this.worker?.wake();
    return count;
  }

  /**
   * Enables an endpoint again after a 410 disabled it (for endpoints given as a list; a store enables its
   * own). Redeliver the messages it missed with `redeliver(id, { endpointId })`.
   */
  async enableEndpoint(endpointId: string): Promise<void> {
    if (!this.endpoints.enable) {
      throw new WebhookSendError(
        'unsupported',
        'enableEndpoint(): this endpoint store has no enable(id); enable the endpoint in the store itself.',
      );
    }
    if (!(await this.endpoints.endpointById(endpointId))) {
      throw new WebhookSendError('unknown-endpoint', `enableEndpoint('${endpointId}'): no endpoint has this id.`);
    }
    await this.endpoints.enable(endpointId);
    this.failingSince.delete(endpointId);
  }

  /** Resolves when nothing is pending: every delivery is delivered, exhausted or disabled. */
  async drain(): Promise<void> {
    if (!this.worker) {
      throw new WebhookSendError(
        'no-worker',
        'drain() needs a client that delivers (worker: true); this one only enqueues.',
      );
    }
    this.assertOpen('drain()');
    try {
      await this.worker.idle();
    } catch (error) {
      throw new WebhookSendError(
        'client-closed',
        'drain(): the client was closed before every delivery ended; the pending ones stay in the queue.',
        { cause: error },
      );
    }
  }

  /** Stops timers and sockets. Pending work stays in the queue: a durable queue resumes it in the next process. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      await this.worker?.stop();
      if (this.ownsTransport) await this.transport.close();
      await this.queue.close();
    })();
    return this.closed;
  }

  private buildPolicies(retry: RetryOptions | undefined): void {
    const problem = checkRetryOptions(retry, 'retry');
    if (problem) throw new WebhookClientConfigError('invalid-options', problem);
    for (const name of this.catalog.names()) {
      const own = this.catalog.get(name)?.options.retry;
      const ownProblem = checkRetryOptions(own, `@Webhook('${name}') retry`);
      if (ownProblem) throw new WebhookClientConfigError('invalid-options', ownProblem);
      this.policies.set(name, new RetryPolicy({ ...retry, ...own }));
    }
  }

  private settled(lease: Lease, result: AttemptResult, decision: RetryDecision | undefined): void {
    if (decision?.kind === 'delivered') this.failingSince.delete(lease.delivery.endpointId);
    else if (decision?.kind === 'retry' || decision?.kind === 'exhausted') this.failed(lease, result);
    // The common case (delivered, nobody listening, no logger) builds nothing: it is on every delivery's path.
    if (decision?.kind === 'delivered' && this.logger === silentLogger && !this.hasDeliveryListeners()) return;
    const { message, delivery } = lease;
    const ref = {
      messageId: message.id,
      event: message.event,
      endpointId: delivery.endpointId,
      url: delivery.url,
    };
    if (result.kind === 'skipped') {
      this.logger.info({ ...ref, reason: result.reason }, 'webhook not sent: the endpoint is disabled or gone');
      return;
    }
    const attempt = result.record;
    this.safeEmit('attempt', { ...ref, attempt });
    const fields = {
      ...ref,
      attempt: attempt.attempt,
      status: attempt.status,
      errorCode: attempt.errorCode,
      durationMs: attempt.durationMs,
    };
    switch (decision?.kind) {
      case 'delivered':
        this.logger.info(fields, 'webhook delivered');
        this.safeEmit('delivered', { ...ref, attempt });
        break;
      case 'retry': {
        const nextAttemptAt = new Date(Date.now() + decision.delayMs);
        this.logger.warn(
          { ...fields, delayMs: decision.delayMs, reason: decision.reason },
          'webhook attempt failed; retry scheduled',
        );
        this.safeEmit('retry-scheduled', {
          ...ref,
          attempt,
          nextAttemptAt,
          delayMs: decision.delayMs,
          reason: decision.reason,
        });
        break;
      }
      case 'exhausted':
        this.logger.error({ ...fields, reason: decision.reason }, 'webhook exhausted: no attempt left');
        this.safeEmit('exhausted', { ...ref, attempts: [...delivery.attempts, attempt], reason: decision.reason });
        break;
      case 'disable':
        this.logger.warn(fields, 'endpoint answered 410 Gone; it is disabled');
        this.disableEndpoint({ endpointId: delivery.endpointId, url: ref.url, reason: 'gone', messageId: message.id });
        break;
      default:
        break;
    }
  }

  /** Another failed attempt: disables the endpoint once its run of failures has lasted long enough. */
  private failed(lease: Lease, result: AttemptResult): void {
    if (this.disableFailingAfterMs === undefined || result.kind !== 'attempted') return;
    const { endpointId, url } = lease.delivery;
    const since = this.failingSince.get(endpointId);
    if (since === undefined) {
      this.failingSince.set(endpointId, result.record.startedAt);
      return;
    }
    if (result.record.startedAt - since < this.disableFailingAfterMs) return;
    this.failingSince.delete(endpointId);
    const failingSince = new Date(since);
    this.logger.warn(
      { endpointId, url, failingSince: failingSince.toISOString() },
      'endpoint disabled: every attempt has failed for too long',
    );
    this.disableEndpoint({ endpointId, url, reason: 'failing', messageId: lease.message.id, failingSince });
  }

  /** Tells the store (a list disables in memory) and the listeners; a store that fails is reported, not fatal. */
  private disableEndpoint(event: EndpointDisabledEvent): void {
    void this.endpoints
      .disable?.(event.endpointId, event.reason)
      ?.catch((error: unknown) => this.report(error, 'the endpoint store failed to disable an endpoint'));
    this.safeEmit('endpoint-disabled', event);
  }

  /** URLs as logged and queued, without credentials; cached because parsing a URL costs more than sending. */
  private shownUrl(url: string): string {
    let shown = this.shownUrls.get(url);
    if (shown === undefined) {
      shown = shownUrl(url);
      if (this.shownUrls.size >= 10_000) this.shownUrls.clear();
      this.shownUrls.set(url, shown);
    }
    return shown;
  }

  private hasDeliveryListeners(): boolean {
    return this.listenerCount('attempt') > 0 || this.listenerCount('delivered') > 0;
  }

  /** A listener that throws must not stop deliveries: it is logged and reported as an `error` event. */
  private safeEmit<K extends Exclude<keyof WebhookClientEvents, 'error'>>(
    name: K,
    ...args: WebhookClientEvents[K]
  ): void {
    try {
      (this.emit as (event: K, ...rest: WebhookClientEvents[K]) => boolean)(name, ...args);
    } catch (error) {
      this.report(error, `a '${name}' listener threw`);
    }
  }

  private report(error: unknown, what: string): void {
    this.logger.error({ err: error }, what);
    if (this.listenerCount('error') > 0) this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }

  private assertOpen(what: string): void {
    if (this.closed)
      throw new WebhookSendError('client-closed', `${what} on a closed WebhookClient; create a new client.`);
  }
}

function ownTransport<C extends readonly WebhookClass[]>(options: WebhookClientOptions<C>): Transport {
  try {
    return createAxiosTransport({
      ...(options.axios ? { axios: options.axios } : {}),
      ...(options.allowNetworks ? { allowNetworks: options.allowNetworks } : {}),
      ...(options.ssrfGuard !== undefined ? { ssrfGuard: options.ssrfGuard } : {}),
      ...(options.proxy !== undefined ? { proxy: options.proxy } : {}),
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
  } catch (error) {
    throw new WebhookClientConfigError('invalid-options', (error as Error).message, { cause: error });
  }
}

function checkStore(store: EndpointStore): EndpointStore {
  if (typeof store?.endpointsFor !== 'function' || typeof store.endpointById !== 'function') {
    throw new WebhookClientConfigError(
      'invalid-endpoints',
      'endpoints must be a list of { url, secret } or a store with endpointsFor(event) and endpointById(id).',
    );
  }
  return store;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0 && value <= MAX_TIMEOUT_MS)) {
    throw new WebhookClientConfigError(
      'invalid-options',
      `${name} must be a positive number of milliseconds up to ${MAX_TIMEOUT_MS} (about 24.8 days), got ${value}.`,
    );
  }
  return value;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value > 0)) {
    throw new WebhookClientConfigError('invalid-options', `${name} must be a positive whole number, got ${value}.`);
  }
  return value;
}
