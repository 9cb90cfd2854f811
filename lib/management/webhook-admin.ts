import { clientInternals, WebhookClient } from '../client';
import type { ClientInternals, RedeliverResult, SendResult, WebhookClass } from '../client';
import { hasMessageHistory } from '../delivery';
import type { DeliveryQueue, EndpointStats, MessageHistory, MessageQuery, MessageView, Page } from '../delivery';
import type {
  EndpointInput,
  EndpointPatch,
  EndpointQuery,
  EndpointWithSecret,
  StoredEndpoint,
  WritableEndpointStore,
} from '../endpoints';
import { WebhookAdminError } from '../errors';
import { checkOptionsObject, describe } from '../options';
import { checkEndpointUrl } from '../transport';
import { checkId, checkScope, checkWindow, unknownEvent } from './admin-arguments';
import { mapped, requestScope, unknownEndpoint, unknownMessage, urlRefusal } from './admin-errors';
import { exampleInstance, fromPlain } from './example-instance';
import { buildEventTypes } from './event-types';
import type { EventType, EventTypeView } from './event-types';
import { registerPortalVerifier } from './portal-token';
import type { PortalTokenOptions } from './portal-token';
import { Retention } from './retention';
import { ADMIN_SCOPE, graceMs, pruneLimits, resolveAdminOptions } from './webhook-admin-options';
import type { OwnerScope, ResolvedAdminOptions, WebhookAdminOptions } from './webhook-admin-options';

/** Any client, whatever its catalog and webhook names. */

const WRITABLE_STORE_METHODS = ['create', 'get', 'list', 'update', 'setEnabled', 'delete', 'rotateSecret'] as const;

/**
 * The one object over a client's endpoint store and message history, every call scoped by owner: the
 * service behind a customer's webhook settings page (and the HTTP API of `hookspec/express`, …).
 *
 * ```ts
 * const admin = new WebhookAdmin(client);
 * const { endpoint, secret } = await admin.createEndpoint('acct_1', { url: 'https://hooks.example.com/in' });
 * ```
 *
 * Ownership is the security property: a call that names an endpoint or a message first loads it and
 * compares its owner with the scope (`null`: the app's own, without an owner). Another owner's endpoint
 * or message is `unknown-endpoint` / `unknown-message` with the same message as one that does not exist,
 * and lists only ever hold the scope's items. Every refusal is a `WebhookAdminError`.
 */
export class WebhookAdmin {
  private readonly internals: ClientInternals;
  private readonly store: WritableEndpointStore;
  private readonly history: MessageHistory & DeliveryQueue;
  private readonly options: ResolvedAdminOptions;
  private readonly retention: Retention | undefined;
  private eventTypesBuilt: Promise<ReadonlyMap<string, EventType>> | undefined;

  /**
   * Throws WebhookAdminError `unsupported` when the client's endpoints are not a WritableEndpointStore or
   * its queue has no MessageHistory (the message names the fix); `unknown-option` / `invalid-option` for
   * a bad option.
   */
  constructor(
    private readonly client: WebhookClient<readonly WebhookClass[], object, string>,
    options?: WebhookAdminOptions,
  ) {
    const internals = typeof client === 'object' && client !== null ? clientInternals(client) : undefined;
    if (!(client instanceof WebhookClient) || !internals) {
      throw ADMIN_SCOPE.fail(
        'invalid-option',
        `${ADMIN_SCOPE.where}: client must be a WebhookClient, got ${describe(client)}.`,
      );
    }
    this.options = resolveAdminOptions(options);
    this.internals = internals;
    const { endpoints, queue } = this.internals;
    if (!isWritableEndpointStore(endpoints)) {
      throw new WebhookAdminError(
        'unsupported',
        `${ADMIN_SCOPE.where}: the client's endpoints cannot be managed (a fixed list, or a store without ` +
          `${WRITABLE_STORE_METHODS.join('/')}). Give the client a WritableEndpointStore: MemoryEndpointStore, ` +
          "or SqliteEndpointStore from 'hookspec/sqlite'.",
      );
    }
    if (!hasMessageHistory(queue)) {
      throw new WebhookAdminError(
        'unsupported',
        `${ADMIN_SCOPE.where}: the client's queue keeps no message history (queryMessages, endpointStats, ` +
          'recover, erasePayload, prune). Use a built-in queue (MemoryQueue, SqliteQueue, BullMQQueue) or ' +
          'implement MessageHistory on yours.',
      );
    }
    this.store = endpoints;
    this.history = queue;
    const { portal, now } = this.options;
    if (portal) registerPortalVerifier(this, (token) => portal.verify(token, now()));
    const { retention } = this.options;
    this.retention =
      retention &&
      new Retention(
        retention,
        (limits) => this.prune(limits),
        (error, what) => this.internals.report(error, what),
      );
  }

  /** The client's webhooks, sorted by name, each with its body schema and an example; built once. */
  async eventTypes(): Promise<readonly EventTypeView[]> {
    return [...(await this.#types()).values()].map((type) => type.view);
  }

  /** The owner's endpoints, oldest first. `query.event` keeps those receiving that webhook. */
  async listEndpoints(owner: OwnerScope, query: Omit<EndpointQuery, 'owner'> = {}): Promise<Page<StoredEndpoint>> {
    const where = 'WebhookAdmin.listEndpoints()';
    checkScope(owner, where);
    checkOptionsObject(query, ['event', 'enabled', 'limit', 'cursor'], requestScope(where), '{ limit: 50 }');
    const page = await mapped(() => this.store.list({ ...query, owner }));
    return ownPage(page, owner, (endpoint) => endpoint.owner);
  }

  /**
   * Registers an endpoint for the owner. The URL is checked by the client's SSRF policy (`ssrf-blocked`
   * names each refused address and the `allowNetworks` fix), `events` must be the client's webhook names
   * (`unknown-event`). The answer holds the secret: the only time it is shown.
   */
  async createEndpoint(owner: OwnerScope, input: Omit<EndpointInput, 'owner'>): Promise<EndpointWithSecret> {
    const where = 'WebhookAdmin.createEndpoint()';
    checkScope(owner, where);
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new WebhookAdminError(
        'invalid-request',
        `${where}: the endpoint must be an object such as { url: 'https://hooks.example.com/in' }, got ${describe(input)}.`,
      );
    }
    if ('owner' in input) {
      throw new WebhookAdminError(
        'invalid-request',
        `${where}: owner is not a field of the request: the endpoint belongs to the owner the call is scoped to.`,
        { details: [{ path: 'owner', message: 'not allowed' }] },
      );
    }
    this.#checkEvents(input.events, where);
    await this.#checkUrl(input.url, where);
    return mapped(() =>
      this.store.create({ ...input, ...(owner !== null ? { owner } : {}) }, { now: this.options.now() }),
    );
  }

  /** `unknown-endpoint` when the owner has no endpoint with this id (another owner's included). */
  async getEndpoint(owner: OwnerScope, id: string): Promise<StoredEndpoint> {
    return this.#ownedEndpoint('WebhookAdmin.getEndpoint()', owner, id);
  }

  /** Changes the endpoint; a new URL is SSRF-checked and new `events` must be webhook names, as at creation. */
  async updateEndpoint(owner: OwnerScope, id: string, patch: EndpointPatch): Promise<StoredEndpoint> {
    const where = 'WebhookAdmin.updateEndpoint()';
    await this.#ownedEndpoint(where, owner, id);
    if (typeof patch === 'object' && patch !== null) {
      if ('owner' in patch) {
        throw new WebhookAdminError('invalid-request', `${where}: an endpoint's owner cannot change.`, {
          details: [{ path: 'owner', message: 'not allowed' }],
        });
      }
      this.#checkEvents(patch.events, where);
      await this.#checkUrl(patch.url, where);
    }
    return mapped(() => this.store.update(id, patch, { now: this.options.now() }));
  }

  /**
   * Enables the endpoint; its failing clock starts afresh, as with `client.enableEndpoint()`. Deliveries
   * it missed while disabled are sent with `recoverEndpoint()`.
   */
  async enableEndpoint(owner: OwnerScope, id: string): Promise<StoredEndpoint> {
    await this.#ownedEndpoint('WebhookAdmin.enableEndpoint()', owner, id);
    const enabled = await mapped(() => this.store.setEnabled(id, true, { now: this.options.now() }));
    this.internals.restartHealthClock(id);
    return enabled;
  }

  /** Disables the endpoint: nothing is attempted; what is sent meanwhile is kept as `disabled` deliveries. */
  async disableEndpoint(owner: OwnerScope, id: string, reason?: string): Promise<StoredEndpoint> {
    await this.#ownedEndpoint('WebhookAdmin.disableEndpoint()', owner, id);
    return mapped(() =>
      this.store.setEnabled(id, false, { now: this.options.now(), ...(reason !== undefined ? { reason } : {}) }),
    );
  }

  /** Deletes the endpoint and its secrets; its messages stay in the history. */
  async deleteEndpoint(owner: OwnerScope, id: string): Promise<void> {
    await this.#ownedEndpoint('WebhookAdmin.deleteEndpoint()', owner, id);
    await mapped(() => this.store.delete(id));
    this.internals.restartHealthClock(id);
  }

  /**
   * A new secret, shown once in the answer; the previous one keeps signing beside it for `graceMs`
   * (default: the admin's `secretGraceMs`), so receivers can switch without losing a message.
   */
  async rotateSecret(owner: OwnerScope, id: string, options: { graceMs?: number } = {}): Promise<EndpointWithSecret> {
    const where = 'WebhookAdmin.rotateSecret()';
    await this.#ownedEndpoint(where, owner, id);
    const scope = requestScope(where);
    checkOptionsObject(options, ['graceMs'], scope, '{ graceMs: 3600000 }');
    const grace = graceMs(options.graceMs, this.options.secretGraceMs, 'graceMs', scope);
    return mapped(() => this.store.rotateSecret(id, { now: this.options.now(), graceMs: grace }));
  }

  /**
   * Sends the webhook's example (or `payload`, a plain JSON object in the body's shape, validated like
   * `send()` validates) to this endpoint only, as the owner, whatever the endpoint's `events`.
   */
  async sendExample(owner: OwnerScope, id: string, options: { event: string; payload?: unknown }): Promise<SendResult> {
    const where = 'WebhookAdmin.sendExample()';
    await this.#ownedEndpoint(where, owner, id);
    checkOptionsObject(options, ['event', 'payload'], requestScope(where), "{ event: 'payment-success' }");
    const type = await this.#eventType(options.event, where);
    const instance =
      options.payload === undefined ? exampleInstance(type, where) : fromPlain(type, options.payload, where);
    return mapped(() =>
      this.client.send(instance, {
        event: type.definition.name,
        ...(owner !== null ? { owner } : {}),
        endpointIds: [id],
      }),
    );
  }

  /**
   * Sends again the endpoint's exhausted and disabled deliveries of messages created in
   * `[since, until)`, with a fresh retry schedule. Enable the endpoint first.
   */
  async recoverEndpoint(
    owner: OwnerScope,
    id: string,
    window: { since: number; until?: number },
  ): Promise<{ readonly recovered: number }> {
    const where = 'WebhookAdmin.recoverEndpoint()';
    const endpoint = await this.#ownedEndpoint(where, owner, id);
    const { since, until } = checkWindow(window, where);
    if (!endpoint.enabled) {
      throw new WebhookAdminError(
        'invalid-request',
        `${where}: endpoint ${describe(id)} is disabled, so its recovered deliveries would only be disabled again; enable it first.`,
      );
    }
    const recovered = await mapped(() =>
      this.history.recover(id, { now: this.options.now(), since, ...(until !== undefined ? { until } : {}) }),
    );
    if (recovered > 0) this.internals.wake();
    return { recovered };
  }

  /** The endpoint's deliveries of messages created in `[since, until)` (default until: now), by state. */
  async endpointStats(
    owner: OwnerScope,
    id: string,
    window: { since: number; until?: number },
  ): Promise<EndpointStats> {
    const where = 'WebhookAdmin.endpointStats()';
    await this.#ownedEndpoint(where, owner, id);
    const { since, until } = checkWindow(window, where);
    return mapped(() => this.history.endpointStats(id, { since, until: until ?? this.options.now() }));
  }

  /** The owner's messages, newest first, with their deliveries and attempt logs. */
  async listMessages(owner: OwnerScope, query: Omit<MessageQuery, 'owner'> = {}): Promise<Page<MessageView>> {
    const where = 'WebhookAdmin.listMessages()';
    checkScope(owner, where);
    checkOptionsObject(
      query,
      ['endpointId', 'event', 'status', 'since', 'until', 'limit', 'cursor'],
      requestScope(where),
      "{ status: 'failing' }",
    );
    const page = await mapped(() => this.history.queryMessages({ ...query, owner }));
    return ownPage(page, owner, (view) => view.message.owner);
  }

  /** `unknown-message` when the owner has no message with this id (another owner's included). */
  async getMessage(owner: OwnerScope, id: string): Promise<MessageView> {
    return this.#ownedMessage('WebhookAdmin.getMessage()', owner, id);
  }

  /**
   * Sends the message again with the same `webhook-id` and bytes: every delivery that is not pending,
   * delivered ones included (or only the one to `endpointId`). `payload-erased` once its payload is gone.
   */
  async resendMessage(owner: OwnerScope, id: string, options: { endpointId?: string } = {}): Promise<RedeliverResult> {
    const where = 'WebhookAdmin.resendMessage()';
    const view = await this.#ownedMessage(where, owner, id);
    checkOptionsObject(options, ['endpointId'], requestScope(where), "{ endpointId: 'ep_…' }");
    const { endpointId } = options;
    if (endpointId !== undefined && !view.deliveries.some((delivery) => delivery.endpointId === endpointId)) {
      throw new WebhookAdminError(
        'unknown-endpoint',
        `${where}: message ${describe(id)} has no delivery to endpoint ${describe(endpointId)}.`,
      );
    }
    if (view.message.erasedAt !== undefined) {
      throw new WebhookAdminError(
        'payload-erased',
        `${where}: the payload of message ${describe(id)} was erased; there is nothing to send again.`,
      );
    }
    return mapped(() =>
      this.client.redeliver(id, { ...(endpointId !== undefined ? { endpointId } : {}), includeDelivered: true }),
    );
  }

  /** Erases the message's payload and keeps its delivery records and attempt logs; pending deliveries end `cancelled`. */
  async erasePayload(owner: OwnerScope, id: string): Promise<void> {
    await this.#ownedMessage('WebhookAdmin.erasePayload()', owner, id);
    await mapped(() => this.history.erasePayload(id, { now: this.options.now() }));
  }

  /**
   * Operator call, not owner-scoped: deletes finished messages older than `maxAgeMs` and beyond the newest
   * `maxMessages` (at least one of them), as retention does on its timer. Resolves with how many.
   */
  async prune(options: { maxAgeMs?: number; maxMessages?: number }): Promise<number> {
    const scope = requestScope('WebhookAdmin.prune()');
    checkOptionsObject(options, ['maxAgeMs', 'maxMessages'], scope, '{ maxAgeMs: 2592000000 }');
    const { maxAgeMs, maxMessages } = pruneLimits(options, scope);
    return mapped(() =>
      this.history.prune({
        ...(maxAgeMs !== undefined ? { olderThan: this.options.now() - maxAgeMs } : {}),
        ...(maxMessages !== undefined ? { keepMessages: maxMessages } : {}),
      }),
    );
  }

  /**
   * A portal token: what the app puts in the portal link it gives one customer
   * (`https://app.example.com/webhooks/portal#token=${token}`), so that the page acts for `owner` alone,
   * with `capabilities`, for `ttlMs`. Signed with the admin's `portalSecret`; nothing is stored.
   *
   * ```ts
   * const token = admin.portalToken({ owner: 'acct_1', capabilities: ['view', 'manage-endpoints', 'resend'] });
   * ```
   *
   * @throws WebhookAdminError `invalid-option` without `portalSecret`, or for a bad owner, ttlMs or
   * capability; `unknown-option` for a misspelled option.
   */
  portalToken(options: PortalTokenOptions): string {
    const where = 'WebhookAdmin.portalToken(options)';
    const { portal } = this.options;
    if (!portal) {
      throw new WebhookAdminError(
        'invalid-option',
        `${where}: the admin has no key to sign portal tokens with; give it one: new WebhookAdmin(client, ` +
          '{ portalSecret: process.env.PORTAL_SECRET }) (at least 32 characters, from your secret store).',
      );
    }
    return portal.mint(options, this.options.now(), where);
  }

  /** Stops the retention timer (after a prune in progress). The client is the caller's to close. */
  async close(): Promise<void> {
    await this.retention?.stop();
  }

  #types(): Promise<ReadonlyMap<string, EventType>> {
    this.eventTypesBuilt ??= buildEventTypes(this.internals.catalog, this.internals.envelope, this.options.converters);
    return this.eventTypesBuilt;
  }

  async #eventType(event: unknown, where: string): Promise<EventType> {
    const types = await this.#types();
    const type = typeof event === 'string' ? types.get(event) : undefined;
    if (!type) throw unknownEvent(where, event, [...types.keys()]);
    return type;
  }

  #checkEvents(events: unknown, where: string): void {
    // Anything but a list of strings is the store's to refuse, with its own words.
    if (!Array.isArray(events)) return;
    const names = this.internals.catalog.names();
    const unknown = events.find((event) => typeof event === 'string' && !names.includes(event));
    if (unknown !== undefined) throw unknownEvent(where, unknown, names);
  }

  /** The client's SSRF policy applied at registration; without one (guard off, a transport of your own) the store checks the syntax. */
  async #checkUrl(url: unknown, where: string): Promise<void> {
    const policy = this.internals.addressPolicy;
    if (policy === undefined || typeof url !== 'string') return;
    try {
      await checkEndpointUrl(url, policy);
    } catch (error) {
      throw urlRefusal(where, error);
    }
  }

  async #ownedEndpoint(where: string, owner: OwnerScope, id: string): Promise<StoredEndpoint> {
    checkScope(owner, where);
    checkId(id, 'endpoint', where);
    const endpoint = await mapped(() => this.store.get(id));
    if (!endpoint || (endpoint.owner ?? null) !== owner) throw unknownEndpoint(where, owner, id);
    return endpoint;
  }

  async #ownedMessage(where: string, owner: OwnerScope, id: string): Promise<MessageView> {
    checkScope(owner, where);
    checkId(id, 'message', where);
    const view = await mapped(() => this.history.getMessage(id));
    if (!view || (view.message.owner ?? null) !== owner) throw unknownMessage(where, owner, id);
    return view;
  }
}

function isWritableEndpointStore(store: object): store is WritableEndpointStore {
  return WRITABLE_STORE_METHODS.every((method) => typeof (store as Record<string, unknown>)[method] === 'function');
}

/**
 * The page with only the scope's items: the store or queue was asked for them, and whatever one answers,
 * another owner's item is never shown (as the client re-filters what a store answers for a send).
 */
function ownPage<T>(page: Page<T>, owner: OwnerScope, ownerOf: (item: T) => string | undefined): Page<T> {
  if (page.items.every((item) => (ownerOf(item) ?? null) === owner)) return page;
  return { ...page, items: page.items.filter((item) => (ownerOf(item) ?? null) === owner) };
}
