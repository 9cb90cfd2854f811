/** What one call of a batch came to. */
export type Outcome<O> = { readonly value: O } | { readonly error: unknown };

interface Waiting<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

/** Items in one statement at most: a worker settles, and producers send, a few dozen at once. */
const MAX_BATCH = 256;

/**
 * Runs the calls made while a statement is in flight together, in the next one. Each statement is a
 * transaction, and a durable commit waits for its WAL flush: with one commit per call the flush bounds
 * the throughput, while a batch shares one. A lone call runs at once, in a batch of one, so nothing waits
 * on a timer. One statement is in flight at a time; the rest of the pool serves the other statements.
 */
export class StatementBatches<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private running = false;

  constructor(
    /** One outcome per item, in order. A rejection fails every call of the batch. */
    private readonly run: (items: readonly I[]) => Promise<readonly Outcome<O>[]>,
    /** Items with one key never share a batch: the later one runs in a batch after, as it would alone. */
    private readonly key: (item: I) => unknown,
  ) {}

  add(item: I): Promise<O> {
    const result = new Promise<O>((resolve, reject) => this.waiting.push({ item, resolve, reject }));
    if (!this.running) void this.drain();
    return result;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.nextBatch();
        try {
          const outcomes = await this.run(batch.map((entry) => entry.item));
          batch.forEach((entry, index) => {
            const outcome = outcomes[index];
            if (outcome && 'value' in outcome) entry.resolve(outcome.value);
            else entry.reject(outcome?.error ?? new Error('a batched statement answered no outcome for a call'));
          });
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private nextBatch(): Waiting<I, O>[] {
    const batch: Waiting<I, O>[] = [];
    const rest: Waiting<I, O>[] = [];
    const keys = new Set<unknown>();
    for (const entry of this.waiting) {
      const key = this.key(entry.item);
      if (batch.length < MAX_BATCH && !keys.has(key)) {
        keys.add(key);
        batch.push(entry);
      } else rest.push(entry);
    }
    this.waiting = rest;
    return batch;
  }
}
