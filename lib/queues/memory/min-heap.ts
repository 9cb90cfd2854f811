/**
 * A binary min-heap with an in-order lane. Hand-written rather than a dependency: the queue needs only
 * push, peek, pop, a size and a rare bulk removal, and a heap library would be the one runtime
 * dependency of the in-memory queue.
 *
 * Most items arrive in order (new messages are due now, after the ones before them), so an item that
 * sorts no earlier than the last one pushed in order joins a first-in first-out lane instead of the
 * heap: push and pop are then O(1) and touch two items, where a heap of a backlog of thousands walks a
 * dozen levels of scattered entries per pop. Only out-of-order items (retries due later than newer
 * work, redeliveries) go to the heap; pop takes whichever head comes first.
 */
export class MinHeap<T> {
  private readonly items: T[] = [];
  /** Items pushed in order, read from `laneHead` (slots before it are cleared, compacted now and then). */
  private lane: (T | undefined)[] = [];
  private laneHead = 0;

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length + this.lane.length - this.laneHead;
  }

  peek(): T | undefined {
    const first = this.lane[this.laneHead];
    const top = this.items[0];
    if (first === undefined) return top;
    return top !== undefined && this.before(top, first) ? top : first;
  }

  push(item: T): void {
    const lane = this.lane;
    const last = lane.length > this.laneHead ? lane[lane.length - 1] : undefined;
    if (last === undefined || !this.before(item, last)) {
      lane.push(item);
      return;
    }
    this.heapPush(item);
  }

  /** Drops every item `drop` selects and restores the order: O(size), for rare removals (erasure). */
  removeWhere(drop: (item: T) => boolean): void {
    // The lane stays in order when items are taken out of it.
    this.lane = (this.lane.slice(this.laneHead) as T[]).filter((item) => !drop(item));
    this.laneHead = 0;
    const kept = this.items.filter((item) => !drop(item));
    this.items.length = 0;
    for (const item of kept) this.heapPush(item);
  }

  pop(): T | undefined {
    const first = this.lane[this.laneHead];
    const top = this.items[0];
    if (first === undefined || (top !== undefined && this.before(top, first))) return this.heapPop();
    this.lane[this.laneHead++] = undefined;
    if (this.laneHead === this.lane.length) {
      // Emptied: start again at the front, keeping the array (the queue often runs empty between sends).
      this.lane.length = 0;
      this.laneHead = 0;
    } else if (this.laneHead > 1024 && this.laneHead * 2 > this.lane.length) {
      this.lane = this.lane.slice(this.laneHead);
      this.laneHead = 0;
    }
    return first;
  }

  private heapPush(item: T): void {
    const items = this.items;
    items.push(item);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i] as T, items[parent] as T)) break;
      [items[i], items[parent]] = [items[parent] as T, items[i] as T];
      i = parent;
    }
  }

  private heapPop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && this.before(items[left] as T, items[smallest] as T)) smallest = left;
      if (right < items.length && this.before(items[right] as T, items[smallest] as T)) smallest = right;
      if (smallest === i) break;
      [items[i], items[smallest]] = [items[smallest] as T, items[i] as T];
      i = smallest;
    }
    return top;
  }
}
