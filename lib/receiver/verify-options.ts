import type { SeenStore } from './seen-store';

export interface VerifyOptions {
  /** How far the `webhook-timestamp` may be from this machine's clock, either way, in seconds; `Infinity` skips the check. Default: 300. */
  toleranceSeconds?: number;
  /** The current time (for tests, or a trusted clock). Default: `Date.now()`. */
  now?: Date | number;
  /**
   * Replay protection: a store of accepted `webhook-id`s. With it, a repeated id is refused with code
   * `replayed`, and the call returns a Promise. Default: none.
   */
  seen?: SeenStore;
  /** How long an id is remembered, in seconds; never less than the message can still verify (its timestamp's window, up to twice `toleranceSeconds` plus one). Default: twice `toleranceSeconds`. */
  seenTtlSeconds?: number;
}
