import type { WebhookEndpoint } from '../client/endpoint';
import type { Page } from '../delivery/message-history';
import { generateSecret } from '../signing';
import { checkEnabled, checkEnableOptions, checkNow, checkRotateOptions } from './endpoint-call-options';
import { checkEndpointInput, newEndpointId, patchedEndpoint } from './endpoint-fields';
import { checkEndpointQuery, compareListPosition, cursorAfter, type ListPosition } from './endpoint-query';
import { ALL_EVENTS, eventKeys, newStoredEndpoint, webhookEndpoint, withEnabled } from './endpoint-records';
import { callOn, duplicateEndpoint, reusedSecret, unknownEndpoint } from './endpoint-store-failures';
import type {
  EndpointPatch,
  EndpointInput,
  EndpointQuery,
  EndpointWithSecret,
  StoredEndpoint,
  WritableEndpointStore,
} from './writable-endpoint-store';

/** A secret of an endpoint; without `expiresAt` it is the current one. */
interface SecretEntry {
  readonly secret: string;
  readonly expiresAt?: number;
}

/** One endpoint and its secrets, the current one first, then the previous ones, the latest rotated out first. */
interface Entry {
  endpoint: StoredEndpoint;
  secrets: SecretEntry[];
}

type Owner = string | undefined;

const NAME = 'MemoryEndpointStore';

/**
 * Endpoints kept in this process's memory: for tests, development, and apps whose endpoints are few and
 * rebuilt at start. Everything is lost when the process ends; use `SqliteEndpointStore` (`hookspec/sqlite`)
 * or a PostgreSQL store to keep them.
 *
 * `endpointsFor(event, owner)` runs on every `send()`: it reads two sets of a per-owner, per-event index
 * rather than every endpoint. Listings walk a per-owner list kept in listing order.
 */
export class MemoryEndpointStore implements WritableEndpointStore {
  private readonly byId = new Map<string, Entry>();
  /** Every endpoint, in listing order (createdAt, id). */
  private readonly ordered: Entry[] = [];
  /** Each owner's endpoints (`undefined`: those without an owner), in listing order. */
  private readonly byOwner = new Map<Owner, Entry[]>();
  /** Owner → webhook name (or ALL_EVENTS) → the ids subscribed. */
  private readonly subscribers = new Map<Owner, Map<string, Set<string>>>();

  async create(input: EndpointInput, options: { now: number }): Promise<EndpointWithSecret> {
    const where = `${NAME}.create()`;
    const now = checkNow(options, where);
    const checked = checkEndpointInput(input, where);
    const id = checked.id ?? newEndpointId();
    if (this.byId.has(id)) {
      throw duplicateEndpoint(id, where);
    }
    const entry: Entry = { endpoint: newStoredEndpoint(checked, id, now), secrets: [{ secret: checked.secret }] };
    this.byId.set(id, entry);
    insertOrdered(this.ordered, entry);
    const owned = this.byOwner.get(entry.endpoint.owner) ?? [];
    this.byOwner.set(entry.endpoint.owner, owned);
    insertOrdered(owned, entry);
    this.subscribe(entry.endpoint);
    return { endpoint: entry.endpoint, secret: checked.secret };
  }

  async get(id: string): Promise<StoredEndpoint | undefined> {
    return this.byId.get(id)?.endpoint;
  }

  async list(query: EndpointQuery): Promise<Page<StoredEndpoint>> {
    const { owner, event, enabled, limit, after } = checkEndpointQuery(query, `${NAME}.list()`);
    const candidates = owner === undefined ? this.ordered : (this.byOwner.get(owner ?? undefined) ?? []);
    const items: StoredEndpoint[] = [];
    for (let index = after ? firstAfter(candidates, after) : 0; index < candidates.length; index += 1) {
      const { endpoint } = candidates[index] as Entry;
      if (enabled !== undefined && endpoint.enabled !== enabled) continue;
      if (event !== undefined && endpoint.events && !endpoint.events.includes(event)) continue;
      if (items.length === limit) return { items, nextCursor: cursorAfter(items[items.length - 1] as StoredEndpoint) };
      items.push(endpoint);
    }
    return { items };
  }

  async update(id: string, patch: EndpointPatch, options: { now: number }): Promise<StoredEndpoint> {
    const where = callOn(NAME, 'update', id);
    const now = checkNow(options, where);
    const entry = this.entry(id, where);
    const next = Object.freeze(patchedEndpoint(entry.endpoint, patch, now, where));
    this.unsubscribe(entry.endpoint);
    entry.endpoint = next;
    this.subscribe(next);
    return next;
  }

  async setEnabled(id: string, enabled: boolean, options: { now: number; reason?: string }): Promise<StoredEndpoint> {
    const where = callOn(NAME, 'setEnabled', id);
    const { now, reason } = checkEnableOptions(options, where);
    const on = checkEnabled(enabled, where);
    const entry = this.entry(id, where);
    entry.endpoint = withEnabled(entry.endpoint, on, now, reason);
    return entry.endpoint;
  }

  async delete(id: string): Promise<boolean> {
    const entry = this.byId.get(id);
    if (!entry) return false;
    this.byId.delete(id);
    removeOrdered(this.ordered, entry);
    const owned = this.byOwner.get(entry.endpoint.owner) as Entry[];
    removeOrdered(owned, entry);
    if (owned.length === 0) this.byOwner.delete(entry.endpoint.owner);
    this.unsubscribe(entry.endpoint);
    // The secrets go with the entry: nothing else refers to them.
    return true;
  }

  async rotateSecret(
    id: string,
    options: { now: number; graceMs: number; secret?: string },
  ): Promise<EndpointWithSecret> {
    const where = callOn(NAME, 'rotateSecret', id);
    const { now, graceMs, secret: given } = checkRotateOptions(options, where);
    const entry = this.entry(id, where);
    const secret = given ?? generateSecret();
    if (entry.secrets.some((old) => old.secret === secret)) throw reusedSecret(where);
    const [current, ...previous] = entry.secrets as [SecretEntry, ...SecretEntry[]];
    entry.secrets = [
      { secret },
      ...(graceMs > 0 ? [{ secret: current.secret, expiresAt: now + graceMs }] : []),
      ...previous.filter((old) => (old.expiresAt as number) > now),
    ];
    entry.endpoint = Object.freeze({ ...entry.endpoint, updatedAt: now });
    return { endpoint: entry.endpoint, secret };
  }

  async endpointsFor(event: string, owner?: string): Promise<readonly WebhookEndpoint[]> {
    const byEvent = this.subscribers.get(owner);
    if (!byEvent) return [];
    const named = byEvent.get(event);
    const all = byEvent.get(ALL_EVENTS);
    const entries = [...(named ?? []), ...(all ?? [])].map((id) => this.byId.get(id) as Entry);
    // Sets keep insertion order, which an update of `events` changes: answer in listing order, as every store.
    entries.sort((a, b) => compareListPosition(a.endpoint, b.endpoint));
    const now = Date.now();
    return entries.map((entry) => webhookEndpoint(entry.endpoint, this.liveSecrets(entry, now)));
  }

  async endpointById(id: string): Promise<WebhookEndpoint | undefined> {
    const entry = this.byId.get(id);
    return entry && webhookEndpoint(entry.endpoint, this.liveSecrets(entry, Date.now()));
  }

  /** Told by the client when the endpoint answered 410 Gone or kept failing; an unknown id is ignored. */
  async disable(id: string, reason: string): Promise<void> {
    if (this.byId.has(id)) await this.setEnabled(id, false, { now: Date.now(), reason });
  }

  /** Called by `client.enableEndpoint(id)`; an unknown id is ignored. */
  async enable(id: string): Promise<void> {
    if (this.byId.has(id)) await this.setEnabled(id, true, { now: Date.now() });
  }

  /** The secrets that still sign at `now`; the expired ones are dropped for good. */
  private liveSecrets(entry: Entry, now: number): string[] {
    const live = entry.secrets.filter((kept) => kept.expiresAt === undefined || kept.expiresAt > now);
    if (live.length !== entry.secrets.length) entry.secrets = live;
    return live.map((kept) => kept.secret);
  }

  private entry(id: string, where: string): Entry {
    const entry = this.byId.get(id);
    if (!entry) throw unknownEndpoint(id, where);
    return entry;
  }

  private subscribe(endpoint: StoredEndpoint): void {
    let byEvent = this.subscribers.get(endpoint.owner);
    if (!byEvent) this.subscribers.set(endpoint.owner, (byEvent = new Map()));
    for (const key of eventKeys(endpoint)) {
      let ids = byEvent.get(key);
      if (!ids) byEvent.set(key, (ids = new Set()));
      ids.add(endpoint.id);
    }
  }

  private unsubscribe(endpoint: StoredEndpoint): void {
    const byEvent = this.subscribers.get(endpoint.owner) as Map<string, Set<string>>;
    for (const key of eventKeys(endpoint)) {
      const ids = byEvent.get(key) as Set<string>;
      ids.delete(endpoint.id);
      if (ids.size === 0) byEvent.delete(key);
    }
    if (byEvent.size === 0) this.subscribers.delete(endpoint.owner);
  }
}

/** The index of the first entry after `position` in a list in listing order. */
function firstAfter(list: readonly Entry[], position: ListPosition): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareListPosition((list[middle] as Entry).endpoint, position) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function insertOrdered(list: Entry[], entry: Entry): void {
  list.splice(firstAfter(list, entry.endpoint), 0, entry);
}

function removeOrdered(list: Entry[], entry: Entry): void {
  list.splice(firstAfter(list, entry.endpoint) - 1, 1);
}
