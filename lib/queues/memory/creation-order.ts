import type { HistoryPosition } from '../../delivery/history-query';
import { newerThan } from '../../delivery/history-query';

/** What the history indexes hold: a message and whether it has been dropped (pruned or retired) since. */
export interface Indexed {
  readonly message: HistoryPosition;
  dropped?: boolean;
}

/**
 * Messages in creation order (createdAt, then id), one list per index of the history. Messages mostly
 * arrive in order, so adding one is a push; one that arrives out of order is put in its place by binary
 * search. A dropped message stays in the list, skipped, until the queue compacts every list at once
 * (after as many drops as there are live messages), so that dropping costs nothing on the send path.
 */
export class CreationOrder<T extends Indexed> {
  private items: T[] = [];

  /** How many items the list holds, dropped ones included: a bound on the cost of walking it. */
  get length(): number {
    return this.items.length;
  }

  add(item: T): void {
    const items = this.items;
    const last = items[items.length - 1];
    if (last === undefined || newerThan(item.message, last.message)) items.push(item);
    else items.splice(this.countOlder(item.message), 0, item);
  }

  /**
   * Live items newest first: older than `after` (when given), created before `until` and at or after
   * `since`.
   */
  *newestFirst(range: { after?: HistoryPosition; since?: number; until?: number }): Generator<T> {
    const items = this.items;
    let top = items.length;
    if (range.until !== undefined) top = Math.min(top, this.countBefore(range.until));
    if (range.after !== undefined) top = Math.min(top, this.countOlder(range.after));
    const since = range.since ?? -Infinity;
    for (let i = top - 1; i >= 0; i -= 1) {
      const item = items[i] as T;
      if (item.message.createdAt < since) return;
      if (!item.dropped) yield item;
    }
  }

  /** Live items oldest first. */
  *oldestFirst(): Generator<T> {
    for (const item of this.items) if (!item.dropped) yield item;
  }

  /** Forgets the dropped items; returns how many live ones remain. */
  compact(): number {
    this.items = this.items.filter((item) => !item.dropped);
    return this.items.length;
  }

  /** How many items come before `position` (are older than it). */
  private countOlder(position: HistoryPosition): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (newerThan(position, (this.items[middle] as T).message)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** How many items were created before `time`. */
  private countBefore(time: number): number {
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.items[middle] as T).message.createdAt < time) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
