import type { ConnectionOptions } from 'bullmq';

export interface BullMqQueueOptions {
  /**
   * Where Redis is: ioredis options (`{ host, port, password, tls }`) or an ioredis instance, as BullMQ takes
   * it. An instance stays the caller's: `close()` does not close it. Required.
   */
  connection: ConnectionOptions;
  /** The BullMQ queue name; producers and workers that share work use the same one. Default: 'hookspec-deliveries'. */
  name?: string;
  /** Prefix of every Redis key. Use a hash tag (`'{hookspec}'`) with Redis Cluster. Default: 'hookspec'. */
  prefix?: string;
  /**
   * How often a worker process looks for deliveries whose lease expired because their holder died, and
   * puts them back to be delivered again. A dead worker's deliveries come back within the lease plus
   * about this long. Default: 30000.
   */
  stalledIntervalMs?: number;
  /**
   * The longest a worker sleeps without looking at Redis, as a safety net for a lost wake-up (new work
   * is announced over pub/sub, which Redis does not keep while a subscriber reconnects). Default: 5000.
   */
  pollIntervalMs?: number;
  /**
   * How many finished messages (every delivery delivered, exhausted or disabled) stay readable through
   * `getMessage()` and `redeliver()`, with their attempt logs; the oldest finished are dropped first. Default: 10000.
   */
  retainFinished?: number;
  /** How long a finished message stays readable, in milliseconds, if the count allows. Default: 7 days. */
  retainFinishedMs?: number;
}
