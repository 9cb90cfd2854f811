import type { AttemptResult, Lease, RetryDecision } from '../delivery';
import type { ClientSignals } from './client-signals';
import type { WebhookLogger } from './logger';
import { silentLogger } from './logger';

/**
 * Tells the logger and the listeners how one attempt of a delivery settled. A failed attempt's log
 * line carries its error message, which names the fix (an `ssrf-blocked` one says to list the network
 * in `allowNetworks`); messages never hold secrets, signatures or URL credentials.
 */
export function reportSettlement(
  logger: WebhookLogger,
  signals: ClientSignals,
  lease: Lease,
  result: AttemptResult,
  decision: RetryDecision | undefined,
): void {
  // The common case (delivered, nobody listening, no logger) builds nothing: it is on every delivery's path.
  if (decision?.kind === 'delivered' && logger === silentLogger && !signals.hasDeliveryListeners()) return;
  const { message, delivery } = lease;
  const ref = {
    messageId: message.id,
    event: message.event,
    endpointId: delivery.endpointId,
    url: delivery.url,
  };
  if (result.kind === 'skipped') {
    logger.info({ ...ref, reason: result.reason }, 'webhook not sent: the endpoint is disabled or gone');
    return;
  }
  const attempt = result.record;
  if (signals.listens('attempt')) signals.emit('attempt', { ...ref, attempt });
  const fields = (): object => ({
    ...ref,
    attempt: attempt.attempt,
    status: attempt.status,
    errorCode: attempt.errorCode,
    ...(attempt.error !== undefined ? { error: attempt.error } : {}),
    durationMs: attempt.durationMs,
  });
  switch (decision?.kind) {
    case 'delivered':
      // A delivered attempt with only listeners (the common case with events) builds no log fields.
      if (logger !== silentLogger) logger.info(fields(), 'webhook delivered');
      signals.emit('delivered', { ...ref, attempt });
      break;
    case 'retry': {
      const nextAttemptAt = new Date(Date.now() + decision.delayMs);
      logger.warn(
        { ...fields(), delayMs: decision.delayMs, reason: decision.reason },
        'webhook attempt failed; retry scheduled',
      );
      signals.emit('retry-scheduled', {
        ...ref,
        attempt,
        nextAttemptAt,
        delayMs: decision.delayMs,
        reason: decision.reason,
      });
      break;
    }
    case 'exhausted':
      logger.error({ ...fields(), reason: decision.reason }, 'webhook exhausted: no attempt left');
      signals.emit('exhausted', { ...ref, attempts: [...delivery.attempts, attempt], reason: decision.reason });
      break;
    case 'disable':
      logger.warn(fields(), 'endpoint answered 410 Gone; it is disabled');
      break;
    default:
      break;
  }
}
