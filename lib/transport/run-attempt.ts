import { performance } from 'node:perf_hooks';
import { checkTimeout, METHOD } from './attempt-checks';
import { startDeadline, type AttemptDeadline } from './attempt-deadline';
import type { Target } from './target-url';
import { toTransportError } from './to-transport-error';
import type { TransportRequest, TransportResponse } from './transport';

/**
 * The frame of one attempt that both transports share: its deadline (started here, disposed at the end),
 * the start time for `durationMs`, and every failure turned into the same `WebhookTransportError`.
 * `onFailure` runs before the error is thrown, with the deadline that may have ended the attempt.
 */
export async function runAttempt(
  request: TransportRequest,
  target: Target,
  attempt: (deadline: AttemptDeadline, started: number) => Promise<TransportResponse>,
  onFailure?: (deadline: AttemptDeadline) => void,
): Promise<TransportResponse> {
  // A caller that gave up already makes no connection at all.
  const deadline = startDeadline(checkTimeout(request.timeoutMs, target), request.signal);
  const started = performance.now();
  try {
    if (deadline.aborted) throw deadline.reason;
    return await attempt(deadline, started);
  } catch (error) {
    onFailure?.(deadline);
    throw toTransportError(error, {
      method: METHOD,
      url: target.safeUrl,
      host: target.url.hostname,
      timeoutMs: request.timeoutMs,
      deadline,
    });
  } finally {
    deadline.dispose();
  }
}
