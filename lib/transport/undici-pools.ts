import type { Pool } from 'undici';

/** One undici Pool per origin, as undici's Agent keeps them, plus the retirement the Agent lacks. */
export interface UndiciPools {
  /** The pool of `origin` (a key: an origin, or a proxy's), made on first use. */
  get(origin: string): Pool;
  /**
   * Stops handing out `pool`: new attempts get a fresh one, and this one closes once its attempts end.
   * After an aborted response undici 7 reconnects for the aborted request and then, under back-to-back
   * load, opens a new connection for every request that follows (nodejs/undici#5845); a fresh pool
   * ends that, at the cost of one new connection.
   */
  retire(origin: string, pool: Pool): void;
  /** Destroys every pool and its sockets, retired ones included. */
  destroy(): Promise<void>;
}

/** `create` makes a pool for an origin; an idle pool without connections is closed and forgotten. */
export function undiciPools(create: (origin: string) => Pool): UndiciPools {
  const pools = new Map<string, Pool>();
  const retired = new Set<Pool>();

  function forget(origin: string, pool: Pool): void {
    if (pools.get(origin) === pool) pools.delete(origin);
    if (retired.has(pool)) return;
    retired.add(pool);
    // Graceful: the attempts still on it finish. A `destroy()` meanwhile makes this reject, harmlessly.
    pool
      .close()
      .catch(() => undefined)
      .finally(() => retired.delete(pool));
  }

  return {
    get(origin) {
      const known = pools.get(origin);
      if (known) return known;
      const pool = create(origin);
      let connected = 0;
      // As undici's Agent does: a pool whose last connection closed is dropped, so a client sending to
      // many receivers does not keep a pool for each one it ever reached.
      pool.on('connect', () => (connected += 1));
      pool.on('disconnect', () => {
        connected -= 1;
        if (connected <= 0) forget(origin, pool);
      });
      pool.on('connectionError', () => {
        if (connected <= 0) forget(origin, pool);
      });
      pools.set(origin, pool);
      return pool;
    },
    retire(origin, pool) {
      forget(origin, pool);
    },
    async destroy() {
      const all = [...pools.values(), ...retired];
      pools.clear();
      await Promise.all(all.map((pool) => pool.destroy()));
    },
  };
}
