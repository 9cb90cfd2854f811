import type { ServerResponse } from 'node:http';
import type { SeenStore } from './seen-store';

/** How a failing `seen.forget` is reported: never thrown, since the answer must still go out. */
export type SeenClaimReport = (error: unknown, id: string) => void;

/**
 * The `webhook-id` one request claims in a `SeenStore`, so that it is given back (`forget`) when that
 * request does not succeed, and the sender's retry is processed instead of acknowledged as a duplicate.
 *
 * The id is claimed when the request is verified, with the store's atomic `remember`, so two deliveries
 * of one id never both run the handler. What remains is a race between concurrent deliveries: while the
 * first is still running, a second is acknowledged as a duplicate; if the first then fails, its id is
 * forgotten, but the sender already believes the message delivered (the second attempt's 200). The same
 * holds for a retry that arrives before an asynchronous `forget` completes. Senders retry seconds apart,
 * and a handler that must not lose a message can also deduplicate by id where it stores its effect.
 */
export class SeenClaim {
  /** `seen`, noting the id this request claims: the `seen` to verify with. */
  readonly store: SeenStore | undefined;
  private id: string | undefined;

  constructor(
    private readonly seen: SeenStore | undefined,
    private readonly report: SeenClaimReport = warnForgetFailed,
  ) {
    this.store = seen && {
      remember: async (id, ttlSeconds) => {
        const first = await seen.remember(id, ttlSeconds);
        // As verifyWebhook reads it: only `false` is a duplicate.
        if (first !== false) this.id = id;
        return first;
      },
    };
  }

  /** Forgets the claimed id, once. A failing store is reported, never thrown: the answer must still go out. */
  async forget(): Promise<void> {
    const { id, seen } = this;
    this.id = undefined;
    if (id === undefined || typeof seen?.forget !== 'function') return;
    try {
      await seen.forget(id);
    } catch (error) {
      this.report(error, id);
    }
  }

  /**
   * Forgets the claimed id unless `res` finishes with a 2xx: the handler threw (the framework's error
   * handler answered 5xx), answered an error itself, or the connection closed before any answer (the
   * sender retries those). A 2xx that is then lost on the network keeps the id: the retry is acknowledged.
   */
  forgetUnlessAcknowledged(res: ServerResponse): void {
    if (this.id === undefined) return;
    const settle = () => {
      res.off('finish', settle);
      res.off('close', settle);
      if (!(res.writableFinished && res.statusCode >= 200 && res.statusCode < 300)) void this.forget();
    };
    if (res.writableFinished || res.destroyed) {
      settle();
      return;
    }
    res.once('finish', settle);
    res.once('close', settle);
  }
}

function warnForgetFailed(error: unknown, id: string): void {
  const reason = error instanceof Error ? error.message : String(error);
  process.emitWarning(
    `seen.forget(${JSON.stringify(id)}) failed (${reason}): the id stays claimed until its TTL, and the ` +
      "sender's retries of this message are acknowledged as duplicates without being processed.",
    { code: 'HOOKSPEC_SEEN_FORGET_FAILED' },
  );
}
