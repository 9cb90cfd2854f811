/** The one abort signal of an attempt: its total deadline, or the caller giving up first. */
export interface AttemptDeadline {
  readonly signal: AbortSignal;
  /** The deadline fired (as opposed to the caller aborting). */
  readonly timedOut: boolean;
  /** Stops the timer and detaches from the caller's signal; call it when the attempt is over. */
  dispose(): void;
}

/**
 * Starts the deadline of one attempt. Not `AbortSignal.any([AbortSignal.timeout(), callerSignal])`:
 * a caller usually passes one long-lived shutdown signal to every attempt, and on some Node versions
 * each `any()` stays attached to it (nodejs/node#55351); here the listener is removed on `dispose()`.
 */
export function startDeadline(timeoutMs: number, callerSignal?: AbortSignal): AttemptDeadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException(`no complete response within ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
