import { EventEmitter } from 'node:events';
import type {
  AttemptResult,
  DeliveryQueue,
  DeliveryStatus,
  Lease,
  MessageRecord,
  MessageView,
  NewDelivery,
  OutboxMessage,
  OutboxQueue,
  OutboxTransaction,
  RetryDecision,
  RetryPolicy,
} from '../delivery';
import { DeliveryWorker, hasOutbox } from '../delivery';
import { WebhookSendError } from '../errors';
import { preparePayload } from '../payload';
import type { EnvelopeMode } from '../envelope';
import type { UnknownProperties } from '../metadata';
import type { Transport } from '../transport';
import type { WebhookCatalog } from './catalog';
import type { CatalogPayload, WebhookClass } from './catalog-types';
import type { WebhookClientEvents } from './client-events';
import { resolveClientOptions } from './client-options';
import type { ClientSignals, SettlementEventName } from './client-signals';
import type { EndpointStore, WebhookEndpoint } from './endpoint';
import { registerClientInternals } from './client-internals';
import type { ClientInternals } from './client-internals';
import { checkOwner } from './owner';
import { EndpointHealth } from './endpoint-health';
import { shownUrl } from './endpoint-registry';
import { createDeliverAttempt } from './deliver-attempt';
import { silentLogger } from './logger';
import type { WebhookLogger } from './logger';
import { newMessageId } from './message-id';
import { reportSettlement } from './settlement-report';
import type {
  RedeliverResult,
  RedeliverSkipReason,
  SendOptions,
  SendResult,
  TransactionalSendOptions,
  TransactionalSendResult,
  WebhookClientOptions,
} from './webhook-client-options';
import { OutboxRouter } from './outbox-router';

/**
 * Sends webhooks: validates a payload, serialises it once, queues one delivery per subscribed endpoint,
 * and delivers each signed (Standard Webhooks), retrying until it is delivered or exhausted.
 *
 * ```ts
 * const client = new WebhookClient({ webhooks: [Subscription], endpoints: [{ url, secret }] });
 * const { id } = await client.send(subscription);
 * ```
 *
 * A façade: its options are checked in `client-options.ts`, each attempt is made by
 * `deliver-attempt.ts`, endpoint health (the failing clock, disabling, enabling) is `endpoint-health.ts`,
 * and the logs and events of each settled attempt are `settlement-report.ts`.
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
  private readonly unknownProperties: UnknownProperties;
  private readonly maxPayloadBytes: number;
  private readonly worker: DeliveryWorker | undefined;
  private readonly outbox: OutboxRouter | undefined;
  private readonly health: EndpointHealth;
  private readonly signals: ClientSignals;
  private closed: Promise<void> | undefined;
  private readonly shownUrls = new Map<string, string>();
  private readonly addressPolicy: ClientInternals['addressPolicy'];

  constructor(options: WebhookClientOptions<C>) {
    super();
    const resolved = resolveClientOptions(options);
    this.catalog = resolved.catalog;
    this.endpoints = resolved.endpoints;
    this.envelope = resolved.envelope;
    this.unknownProperties = resolved.unknownProperties;
    this.maxPayloadBytes = resolved.maxPayloadBytes;
    this.logger = resolved.logger;
    this.queue = resolved.queue;
    this.transport = resolved.transport;
    this.ownsTransport = resolved.ownsTransport;
    this.addressPolicy = resolved.addressPolicy;
    this.signals = {
      emit: (name, ...args) => this.safeEmit(name, ...args),
      report: (error, what) => this.report(error, what),
      hasDeliveryListeners: () => this.listenerCount('attempt') > 0 || this.listenerCount('delivered') > 0,
      listens: (name) => this.listenerCount(name) > 0,
    };
    this.health = new EndpointHealth(this.endpoints, resolved.disableFailingAfterMs, this.logger, this.signals);
    // What WebhookAdmin builds on, outside the public surface.
    registerClientInternals(this, () => ({
      catalog: this.catalog,
      endpoints: this.endpoints,
      queue: this.queue,
      addressPolicy: this.addressPolicy,
      envelope: this.envelope,
      wake: () => this.worker?.wake(),
      restartHealthClock: (endpointId) => this.health.enabled(endpointId),
      report: (error, what) => this.report(error, what),
    }));
    if (resolved.worker) {
      const deliver = createDeliverAttempt({
        endpoints: this.endpoints,
        transport: this.transport,
        timeoutMs: resolved.timeoutMs,
        now: Date.now,
        checkEndpoint: resolved.checkEndpointsBeforeAttempt ? this.catalog.names() : undefined,
      });
      const policies = resolved.policies;
      this.worker = new DeliveryWorker(this.queue, deliver, {
        concurrency: resolved.concurrency,
        endpointConcurrency: resolved.endpointConcurrency,
        leaseMs: resolved.leaseMs,
        policyFor: (event) => policies.get(event) as RetryPolicy,
        onSettled: (lease, result, decision) => this.settled(lease, result, decision),
        onError: (error) => this.report(error, 'the delivery queue failed; retrying in a second'),
      });
      this.worker.start();
      // A worker also routes what send({ tx }) wrote, once it is committed (in this process or another).
      if (hasOutbox(this.queue)) {
        const worker = this.worker;
        this.outbox = new OutboxRouter(
          this.queue,
          this.routeOutboxMessage,
          () => worker.wake(),
          (error, what) => this.report(error, what),
        );
        this.outbox.start();
      }
    }
  }

  /**
   * Validates the payload (class-validator), serialises it, and queues one delivery per enabled endpoint
   * subscribed to its webhook. Resolves once the queue has accepted the message; from then on it is
   * delivered or ends exhausted with its attempt log. Rejects with `WebhookValidationError` (nothing is
   * queued) or `WebhookSendError`.
   *
   * With `{ tx }`, the message is written in the caller's open transaction instead (the transactional
   * outbox): committed or rolled back with the business write, routed to its endpoints and delivered by
   * a worker after the commit. See docs/outbox.md.
   */
  send(payload: P, options: TransactionalSendOptions<N>): Promise<TransactionalSendResult<N>>;
  send(payload: P, options?: SendOptions<N>): Promise<SendResult<N>>;
  async send(
    payload: P,
    options: SendOptions<N> | TransactionalSendOptions<N> = {},
  ): Promise<SendResult<N> | TransactionalSendResult<N>> {
    this.assertOpen('send()');
    const tx = 'tx' in options ? options.tx : undefined;
    if (tx !== undefined) this.assertOutbox(tx);
    const definition = this.catalog.resolve(payload, options.event);
    const owner = checkOwner(options.owner, 'send()');
    const now = Date.now();
    const body = await preparePayload(payload, definition.payload, {
      event: definition.name,
      envelope: this.envelope,
      now: new Date(now),
      unknownProperties: definition.options.unknownProperties ?? this.unknownProperties,
      maxPayloadBytes: this.maxPayloadBytes,
    });
    const message: MessageRecord = {
      id: newMessageId(),
      event: definition.name,
      body,
      createdAt: now,
      ...(owner !== undefined ? { owner } : {}),
    };
    if (tx !== undefined) return this.sendInTransaction(tx, message, options.endpointIds);
    const { deliveries, sent, skipped } = await this.deliveriesOf(
      await this.recipients(definition.name, owner, options.endpointIds),
      now,
    );
    if (deliveries.length > 0) await this.queue.enqueue(message, deliveries);
    // Built only for a logger that reads it: send() is on every message's path.
    if (this.logger !== silentLogger) {
      this.logger.debug(
        { messageId: message.id, event: message.event, owner, deliveries: sent.length, skipped: skipped.length },
        'webhook accepted',
      );
    }
    if (deliveries.length > 0) this.worker?.wake();
    return {
      id: message.id,
      event: message.event as N,
      ...(owner !== undefined ? { owner } : {}),
      deliveries: sent,
      skipped,
    };
  }

  /**
   * One delivery per recipient, due `now`; a disabled endpoint's is recorded as `disabled` (not
   * attempted; recover() sends it once the endpoint is back).
   */
  private deliveriesOf(
    recipients: readonly WebhookEndpoint[],
    now: number,
  ): {
    deliveries: NewDelivery[];
    sent: { endpointId: string; url: string }[];
    skipped: { endpointId: string; url: string; reason: 'endpoint-disabled' }[];
  } {
    const deliveries: NewDelivery[] = [];
    const sent: { endpointId: string; url: string }[] = [];
    const skipped: { endpointId: string; url: string; reason: 'endpoint-disabled' }[] = [];
    for (const endpoint of recipients) {
      // The queue keeps the URL for people to read, without credentials; attempts use the endpoint's own.
      const url = this.shownUrl(endpoint.url);
      const endpointId = endpoint.id ?? url;
      if (endpoint.enabled === false) {
        deliveries.push({ endpointId, url, nextAttemptAt: now, status: 'disabled' });
        skipped.push({ endpointId, url, reason: 'endpoint-disabled' });
      } else {
        deliveries.push({ endpointId, url, nextAttemptAt: now });
        sent.push({ endpointId, url });
      }
    }
    return { deliveries, sent, skipped };
  }

  /** Refuses `{ tx }` at once, before any work, when this client's queue has no outbox. */
  private assertOutbox(tx: unknown): void {
    // A function is let through for the queue to name: a Knex transaction is one.
    if ((typeof tx !== 'object' && typeof tx !== 'function') || tx === null) {
      throw new WebhookSendError(
        'invalid-option',
        `send(…, { tx }): tx must be your open transaction (a pg client, a TypeORM EntityManager, or an adapter ` +
          `of hookspec/postgres), got ${tx === null ? 'null' : typeof tx}.`,
      );
    }
    if (!hasOutbox(this.queue)) {
      throw new WebhookSendError(
        'unsupported',
        `send(…, { tx }): this client's queue (${this.queue.constructor.name}) has no transactional outbox; ` +
          'use PostgresQueue (hookspec/postgres) or a SqliteQueue on your own database (hookspec/sqlite), ' +
          'or send after your transaction commits. Nothing was written.',
      );
    }
  }

  /**
   * The transactional outbox: the message (with the endpoints it names, checked now) is written in the
   * caller's transaction; a worker routes it after the commit (outbox-router.ts).
   */
  private async sendInTransaction(
    tx: OutboxTransaction,
    message: MessageRecord,
    endpointIds: readonly string[] | undefined,
  ): Promise<TransactionalSendResult<N>> {
    const queue = this.queue as DeliveryQueue & OutboxQueue;
    let named: readonly string[] | undefined;
    if (endpointIds !== undefined) {
      named = (await this.recipients(message.event, message.owner, endpointIds)).map(
        (endpoint) => endpoint.id ?? this.shownUrl(endpoint.url),
      );
    }
    await queue.enqueueInTransaction(tx, named === undefined ? message : { ...message, endpointIds: named });
    if (this.logger !== silentLogger) {
      this.logger.debug(
        { messageId: message.id, event: message.event, owner: message.owner },
        'webhook written to the outbox; it is routed after your transaction commits',
      );
    }
    return {
      id: message.id,
      event: message.event as N,
      ...(message.owner !== undefined ? { owner: message.owner } : {}),
    };
  }

  /**
   * Routes one committed outbox message as send() routes a message: to the endpoints it names that still
   * exist for its owner, or to the owner's subscribed endpoints as they are now.
   */
  private readonly routeOutboxMessage = async (message: OutboxMessage): Promise<readonly NewDelivery[]> => {
    const now = Date.now();
    let recipients: readonly WebhookEndpoint[];
    if (message.endpointIds === undefined) {
      recipients = await this.recipients(message.event, message.owner, undefined);
    } else {
      const found: WebhookEndpoint[] = [];
      for (const id of message.endpointIds) {
        const endpoint = await this.endpoints.endpointById(id);
        // Deleted (or moved to another owner) between the send and the commit: not sent to.
        if (endpoint && endpoint.owner === message.owner) found.push(endpoint);
      }
      recipients = found;
    }
    const { deliveries, sent, skipped } = this.deliveriesOf(recipients, now);
    if (this.logger !== silentLogger) {
      this.logger.debug(
        {
          messageId: message.id,
          event: message.event,
          owner: message.owner,
          deliveries: sent.length,
          skipped: skipped.length,
        },
        'webhook routed from the outbox',
      );
    }
    return deliveries;
  };

  /**
   * The endpoints a message goes to: the named ones (each must exist and be the owner's), or the owner's
   * endpoints subscribed to the webhook. Whatever a store answers, only endpoints of exactly this owner
   * are kept: a store that ignores the owner cannot leak one customer's messages to another.
   */
  private async recipients(
    event: string,
    owner: string | undefined,
    endpointIds: readonly string[] | undefined,
  ): Promise<readonly WebhookEndpoint[]> {
    if (endpointIds === undefined) {
      const found = await this.endpoints.endpointsFor(event, owner);
      return found.filter(
        (endpoint) => endpoint.owner === owner && (!endpoint.events || endpoint.events.includes(event)),
      );
    }
    if (!Array.isArray(endpointIds) || endpointIds.some((id) => typeof id !== 'string')) {
      throw new WebhookSendError('invalid-option', 'send(…, { endpointIds }): a list of endpoint ids (strings).');
    }
    const chosen: WebhookEndpoint[] = [];
    for (const id of new Set(endpointIds)) {
      const endpoint = await this.endpoints.endpointById(id);
      if (!endpoint || endpoint.owner !== owner) {
        throw new WebhookSendError(
          'unknown-endpoint',
          `send(…, { endpointIds }): no endpoint '${id}' ${owner === undefined ? 'without an owner' : `of owner '${owner}'`}; ` +
            'nothing was queued. Pass the owner the endpoint belongs to, or its exact id.',
        );
      }
      chosen.push(endpoint);
    }
    return chosen;
  }

  /** A message with each delivery's status and attempt log; undefined when the queue does not know it. */
  async getMessage(id: string): Promise<MessageView | undefined> {
    return this.queue.getMessage(id);
  }

  /**
   * Sends a message again, with the same `webhook-id` and bytes and a fresh retry schedule: its exhausted
   * deliveries and those that a disabled endpoint missed, and with `includeDelivered` the delivered ones
   * too (a resend); only to `endpointId` when given. Resolves with how many restart, and why each other
   * delivery did not (`pending`, `delivered`, `payload-erased`, `endpoint-disabled`, `endpoint-deleted`).
   */
  async redeliver(
    id: string,
    options: { endpointId?: string; includeDelivered?: boolean } = {},
  ): Promise<RedeliverResult> {
    this.assertOpen('redeliver()');
    const view = await this.queue.getMessage(id);
    if (!view) {
      throw new WebhookSendError('unknown-message', `redeliver('${id}'): the queue holds no message with this id.`);
    }
    let restarted = 0;
    const skipped: { endpointId: string; reason: RedeliverSkipReason }[] = [];
    for (const delivery of view.deliveries) {
      const { endpointId, status } = delivery;
      if (options.endpointId !== undefined && endpointId !== options.endpointId) continue;
      const reason = await this.whyNotRedeliver(view.message, status, endpointId, options.includeDelivered === true);
      if (reason) {
        skipped.push({ endpointId, reason });
        continue;
      }
      restarted += await this.queue.redeliver(id, {
        now: Date.now(),
        endpointId,
        ...(options.includeDelivered ? { includeDelivered: true } : {}),
      });
    }
    if (options.endpointId !== undefined && restarted === 0 && skipped.length === 0) {
      throw new WebhookSendError(
        'unknown-endpoint',
        `redeliver('${id}', { endpointId: '${options.endpointId}' }): the message has no delivery to this endpoint.`,
      );
    }
    if (restarted > 0) this.worker?.wake();
    return { restarted, skipped };
  }

  private async whyNotRedeliver(
    message: MessageRecord,
    status: DeliveryStatus,
    endpointId: string,
    includeDelivered: boolean,
  ): Promise<RedeliverSkipReason | undefined> {
    if (message.erasedAt !== undefined || status === 'cancelled') return 'payload-erased';
    if (status === 'pending') return 'pending';
    if (status === 'delivered' && !includeDelivered) return 'delivered';
    // A delivery to a disabled endpoint would only be disabled again: it waits for enableEndpoint().
    const endpoint = await this.endpoints.endpointById(endpointId);
    if (!endpoint) return 'endpoint-deleted';
    if (endpoint.enabled === false) return 'endpoint-disabled';
    return undefined;
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
    this.health.enabled(endpointId);
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
    // Messages committed through the outbox are routed first, so that their deliveries are waited for; a
    // routing failure (the database, the endpoint store) rejects as it is.
    await this.outbox?.flush();
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
      await this.outbox?.stop();
      await this.worker?.stop();
      if (this.ownsTransport) await this.transport.close();
      await this.queue.close();
    })();
    return this.closed;
  }

  private settled(lease: Lease, result: AttemptResult, decision: RetryDecision | undefined): void {
    this.health.afterAttempt(lease, result, decision);
    reportSettlement(this.logger, this.signals, lease, result, decision);
    if (decision?.kind === 'disable') this.health.gone(lease);
  }

  /**
   * URLs as logged and queued, without credentials (also an endpoint's default id, as `endpointId()` has
   * it); cached because parsing a URL costs more than the rest of queueing a message.
   */
  private shownUrl(url: string): string {
    let shown = this.shownUrls.get(url);
    if (shown === undefined) {
      shown = shownUrl(url);
      if (this.shownUrls.size >= 10_000) this.shownUrls.clear();
      this.shownUrls.set(url, shown);
    }
    return shown;
  }

  /** A listener that throws must not stop deliveries: it is logged and reported as an `error` event. */
  private safeEmit<K extends SettlementEventName>(name: K, ...args: WebhookClientEvents[K]): void {
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
