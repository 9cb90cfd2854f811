import type { SeenStore } from './seen-store';

export interface VerifyOptions {
  /** How far the `webhook-timestamp` may be from this machine's clock, either way, in seconds. Default: 300. */
  toleranceSeconds?: number;
  /** The current time (for tests, or a trusted clock). Default: `Date.now()`. */
  now?: Date | number;
  /**
   * Replay protection: a store of accepted `webhook-id`s. With it, a repeated id is refused with code
   * `replayed`, and the call returns a Promise. Default: none.
   */
  seen?: SeenStore;
  /** How long an id is remembered, in seconds. Default: twice `toleranceSeconds` (a replay older than that fails the timestamp check). */
  seenTtlSeconds?: number;
}
