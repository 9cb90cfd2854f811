import type { AttemptResult, Lease, RetryDecision } from '../delivery';
import type { EndpointDisabledEvent } from './client-events';
import type { ClientSignals } from './client-signals';
import type { EndpointStore } from './endpoint';
import type { WebhookLogger } from './logger';

/**
 * Whether each endpoint still deserves attempts: the clock of its current run of failures, disabling
 * it when that run lasts too long or it answers 410, and enabling it again on request.
 */
export class EndpointHealth {
  /** When each endpoint's current run of failed attempts began; an endpoint that just succeeded has none. */
  private readonly failingSince = new Map<string, number>();

  constructor(
    private readonly endpoints: EndpointStore,
    /** Undefined: failures never disable an endpoint (410 still does). */
    private readonly disableFailingAfterMs: number | undefined,
    private readonly logger: WebhookLogger,
    private readonly signals: ClientSignals,
  ) {}

  /** Runs the failing clock after an attempt: a delivery stops it, a failure may disable the endpoint. */
  afterAttempt(lease: Lease, result: AttemptResult, decision: RetryDecision | undefined): void {
    if (decision?.kind === 'delivered') this.succeeded(lease);
    else if (decision?.kind === 'retry' || decision?.kind === 'exhausted') this.failed(lease, result);
  }

  /** The endpoint answered 410 Gone. */
  gone(lease: Lease): void {
    const { endpointId, url } = lease.delivery;
    this.disable({ endpointId, url, reason: 'gone', messageId: lease.message.id });
  }

  /** The endpoint was enabled again: its next failure starts a new run. */
  enabled(endpointId: string): void {
    this.failingSince.delete(endpointId);
  }

  /** A 2xx: the run of failures (if any) ends, and the operators hear that the endpoint is back. */
  private succeeded(lease: Lease): void {
    const { endpointId, url } = lease.delivery;
    const since = this.failingSince.get(endpointId);
    if (since === undefined) return;
    this.failingSince.delete(endpointId);
    const failingSince = new Date(since);
    this.logger.info({ endpointId, url, failingSince: failingSince.toISOString() }, 'endpoint recovered');
    this.signals.emit('endpoint-recovered', { endpointId, url, messageId: lease.message.id, failingSince });
  }

  /** Another failed attempt: disables the endpoint once its run of failures has lasted long enough. */
  private failed(lease: Lease, result: AttemptResult): void {
    if (result.kind !== 'attempted') return;
    const { endpointId, url } = lease.delivery;
    const since = this.failingSince.get(endpointId);
    if (since === undefined) {
      this.failingSince.set(endpointId, result.record.startedAt);
      return;
    }
    // The clock runs even when failures never disable: `endpoint-recovered` says when a run ended.
    if (this.disableFailingAfterMs === undefined || result.record.startedAt - since < this.disableFailingAfterMs)
      return;
    this.failingSince.delete(endpointId);
    const failingSince = new Date(since);
    this.logger.warn(
      { endpointId, url, failingSince: failingSince.toISOString() },
      'endpoint disabled: every attempt has failed for too long',
    );
    this.disable({ endpointId, url, reason: 'failing', messageId: lease.message.id, failingSince });
  }

  /** Tells the store (a list disables in memory) and the listeners; a store that fails is reported, not fatal. */
  private disable(event: EndpointDisabledEvent): void {
    void this.endpoints
      .disable?.(event.endpointId, event.reason)
      ?.catch((error: unknown) => this.signals.report(error, 'the endpoint store failed to disable an endpoint'));
    this.signals.emit('endpoint-disabled', event);
  }
}
