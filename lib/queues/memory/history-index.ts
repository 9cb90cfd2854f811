import type { CheckedMessageQuery } from '../../delivery/history-query';
import { newerThan } from '../../delivery/history-query';
import { CreationOrder, type Indexed } from './creation-order';

/** A stored message as the indexes see it: its owner, event and the endpoints it is delivered to. */
export interface IndexedMessage extends Indexed {
  readonly message: Indexed['message'] & { readonly owner?: string; readonly event: string };
  readonly entries: readonly { readonly delivery: { readonly endpointId: string } }[];
}

/**
 * The MemoryQueue's history indexes: every message in creation order, and the same per owner (null for
 * none), per event and per endpoint. A query walks the shortest list that its filters allow and checks
 * the other filters on each message, so a page costs what the messages walked to fill it cost, not what
 * the whole history holds.
 */
export class HistoryIndex<T extends IndexedMessage> {
  /** The indexes of messages already stored: sorted once, then added in order. */
  static of<T extends IndexedMessage>(messages: T[]): HistoryIndex<T> {
    const index = new HistoryIndex<T>();
    messages.sort((a, b) => (newerThan(b.message, a.message) ? -1 : 1));
    for (const stored of messages) index.add(stored);
    return index;
  }

  private readonly all = new CreationOrder<T>();
  private readonly byOwner = new Map<string | null, CreationOrder<T>>();
  private readonly byEvent = new Map<string, CreationOrder<T>>();
  private readonly byEndpoint = new Map<string, CreationOrder<T>>();
  private live = 0;
  private dropped = 0;

  add(stored: T): void {
    this.all.add(stored);
    listOf(this.byOwner, stored.message.owner ?? null).add(stored);
    listOf(this.byEvent, stored.message.event).add(stored);
    const { entries } = stored;
    for (let i = 0; i < entries.length; i += 1) {
      const endpointId = (entries[i] as T['entries'][number]).delivery.endpointId;
      // The same endpoint twice in one message is indexed once.
      if (i > 0 && entries.slice(0, i).some((e) => e.delivery.endpointId === endpointId)) continue;
      listOf(this.byEndpoint, endpointId).add(stored);
    }
    this.live += 1;
  }

  /** Takes a message out of every list (lazily: see CreationOrder). */
  drop(stored: T): void {
    stored.dropped = true;
    this.live -= 1;
    this.dropped += 1;
    if (this.dropped > 1_024 && this.dropped > this.live) this.compact();
  }

  /** Every live message, oldest first. */
  oldestFirst(): Generator<T> {
    return this.all.oldestFirst();
  }

  /** The messages with a delivery to the endpoint (undefined: none ever had one). */
  endpoint(endpointId: string): CreationOrder<T> | undefined {
    return this.byEndpoint.get(endpointId);
  }

  /** The shortest list that holds every message the query can match; undefined when one of them is empty. */
  listFor(query: CheckedMessageQuery): CreationOrder<T> | undefined {
    let best: CreationOrder<T> = this.all;
    const consider = (list: CreationOrder<T> | undefined): boolean => {
      if (!list) return false;
      if (list.length < best.length) best = list;
      return true;
    };
    if (query.owner !== undefined && !consider(this.byOwner.get(query.owner))) return undefined;
    if (query.event !== undefined && !consider(this.byEvent.get(query.event))) return undefined;
    if (query.endpointId !== undefined && !consider(this.byEndpoint.get(query.endpointId))) return undefined;
    return best;
  }

  private compact(): void {
    this.all.compact();
    for (const lists of [this.byOwner, this.byEvent, this.byEndpoint]) {
      for (const [key, list] of lists) if (list.compact() === 0) lists.delete(key);
    }
    this.dropped = 0;
  }
}

function listOf<K, T extends Indexed>(lists: Map<K, CreationOrder<T>>, key: K): CreationOrder<T> {
  let list = lists.get(key);
  if (!list) {
    list = new CreationOrder<T>();
    lists.set(key, list);
  }
  return list;
}
