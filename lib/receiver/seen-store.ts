/**
 * Remembers the `webhook-id`s already accepted, so that a message delivered again is not processed twice
 * (`verifyWebhook` refuses it with `replayed`; the Express, Fastify and NestJS receivers acknowledge it
 * with 200). `remember` must be atomic (set-if-absent): with Redis, `SET key 1 NX EX ttl`; with SQL, an
 * insert into a unique column. `forget` is then `DEL key`, or a delete of that row.
 */
export interface SeenStore {
  /** Records the id for `ttlSeconds`; resolves false when it was already recorded. */
  remember(id: string, ttlSeconds: number): boolean | Promise<boolean>;
  /**
   * Removes the id. The receivers call it when the request that claimed the id did not succeed (an
   * invalid payload, a failing handler, an answer other than 2xx), so that the sender's retry is
   * processed rather than acknowledged as a duplicate. Without it, such a retry is acknowledged unprocessed
   * until the id expires (`seenTtlSeconds`).
   */
  forget?(id: string): void | Promise<void>;
}

export interface MemorySeenStoreOptions {
  /** The most ids kept; the oldest are forgotten first. Default: 100000. */
  maxEntries?: number;
}

/** A `SeenStore` in this process's memory: right for one process; use a shared store for several. */
export class MemorySeenStore implements SeenStore {
  private readonly expiries = new Map<string, number>();
  private readonly maxEntries: number;

  constructor(
    options: MemorySeenStoreOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  remember(id: string, ttlSeconds: number): boolean {
    const now = this.now();
    const expiry = this.expiries.get(id);
    if (expiry !== undefined && expiry > now) return false;
    this.expiries.delete(id);
    this.expiries.set(id, now + ttlSeconds * 1000);
    // Insertion order is close to expiry order (TTLs differ only by each message's own window), so the
    // scan stops at the first live entry; a later expired one is refused by the check above meanwhile.
    for (const [oldest, expires] of this.expiries) {
      if (this.expiries.size <= this.maxEntries && expires > now) break;
      this.expiries.delete(oldest);
    }
    return true;
  }

  forget(id: string): void {
    this.expiries.delete(id);
  }
}
