/** What the deadline cuts when it fires: the request, then the response body (anything with `destroy`). */
export interface Abortable {
  destroy(error?: Error): unknown;
}

/** The end of an attempt: its total deadline, or the caller giving up first. */
export interface AttemptDeadline {
  /** The deadline fired or the caller aborted. */
  readonly aborted: boolean;
  /** Why: a `TimeoutError` DOMException, or the caller signal's reason. */
  readonly reason: unknown;
  /** The deadline fired (as opposed to the caller aborting). */
  readonly timedOut: boolean;
  /** Destroys `target` with the reason when the attempt ends early (at once if it already has). */
  cut(target: Abortable): void;
  /** Settles like `work`, or rejects with the reason as soon as the attempt ends early. */
  race<T>(work: Promise<T>): Promise<T>;
  /** Stops the timer and detaches from the caller's signal; call it when the attempt is over. */
  dispose(): void;
}

/**
 * Starts the deadline of one attempt. No AbortController of its own: creating an AbortSignal and
 * having axios listen on it cost about a sixth of an attempt's CPU (measured), so the deadline holds
 * what it must cut (the ClientRequest, then the response stream) and destroys it directly. The
 * caller's signal, usually one long-lived shutdown signal, gets one listener that `dispose()` removes
 * (not `AbortSignal.any()`: on some Node versions each stays attached to it, nodejs/node#55351).
 */
export function startDeadline(timeoutMs: number, callerSignal?: AbortSignal): AttemptDeadline {
  return new Deadline(timeoutMs, callerSignal);
}

class Deadline implements AttemptDeadline {
  aborted = false;
  reason: unknown = undefined;
  timedOut = false;
  private readonly targets: Abortable[] = [];
  private rejectRace: ((reason: unknown) => void) | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort: (() => void) | undefined;

  constructor(
    timeoutMs: number,
    private readonly callerSignal: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.abort(new DOMException(`no complete response within ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    if (callerSignal) {
      this.onCallerAbort = () => this.abort(callerSignal.reason);
      if (callerSignal.aborted) this.onCallerAbort();
      else callerSignal.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  cut(target: Abortable): void {
    if (this.aborted) target.destroy(asError(this.reason));
    else this.targets.push(target);
  }

  race<T>(work: Promise<T>): Promise<T> {
    if (this.aborted) return Promise.reject(this.reason);
    return new Promise<T>((resolve, reject) => {
      this.rejectRace = reject;
      work.then(resolve, reject);
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (this.onCallerAbort) this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    this.targets.length = 0;
    this.rejectRace = undefined;
  }

  private abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    clearTimeout(this.timer);
    for (const target of this.targets.splice(0)) target.destroy(asError(reason));
    this.rejectRace?.(reason);
  }
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
