import { DeliveryQueueError } from '../errors';
import { MAX_DURATION_MS } from '../options';
import type { DeliveryQueue } from './delivery-queue';
import type { AttemptRecord, Lease } from './delivery-records';
import type { RetryDecision, RetryPolicy } from './retry-policy';

/** What one attempt came to: an HTTP exchange (or a failure to have one), or no attempt at all. */
export type AttemptResult =
  | { readonly kind: 'attempted'; readonly record: AttemptRecord; readonly retryAfter?: string }
  | { readonly kind: 'skipped'; readonly reason: 'endpoint-disabled' | 'endpoint-missing' };

/** Makes one attempt of a leased delivery; never throws (a failure is an attempt record). */
export type DeliverOnce = (lease: Lease, attemptNumber: number) => Promise<AttemptResult>;

export interface DeliveryWorkerOptions {
  /** Attempts in flight at once, over all endpoints. */
  readonly concurrency: number;
  /** Attempts in flight at once to one endpoint, so a slow endpoint cannot take every slot. */
  readonly endpointConcurrency: number;
  /** How long a lease lasts: longer than an attempt's deadline. */
  readonly leaseMs: number;
  readonly policyFor: (event: string) => RetryPolicy;
  readonly onSettled: (lease: Lease, result: AttemptResult, decision: RetryDecision | undefined) => void;
  readonly onError: (error: unknown) => void;
  readonly now?: () => number;
}

/** Wait before trying the queue again after it failed (a database or Redis hiccup). */
const QUEUE_ERROR_BACKOFF_MS = 1_000;

/**
 * The loop that moves messages: it leases due deliveries up to its concurrency, makes one attempt each,
 * and settles them by the retry policy. It sleeps on a timer until the next delivery is due — no
 * polling — and is woken early when work is added or a slot frees up.
 */
export class DeliveryWorker {
  private readonly now: () => number;
  private running = false;
  private pumping = false;
  private pumpAgain = false;
  private timer: NodeJS.Timeout | undefined;
  private timerDue: number | undefined;
  private readonly inFlight = new Map<string, number>();
  private active = 0;
  /** Attempts in flight, by lease, for stop() to wait on. */
  private readonly settling = new Map<Lease, Promise<void>>();
  private idleWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly queue: DeliveryQueue,
    private readonly deliver: DeliverOnce,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.running = true;
    // Another process's work may also have emptied the queue: idle() waiters look again, not only after own attempts.
    this.unwatch ??= this.queue.watch?.(() => {
      this.wake();
      this.notifyIfIdle().catch((error: unknown) => this.options.onError(error));
    });
    this.wake();
  }

  /** Looks for due work now (after `send()`, or when a slot frees up). */
  wake(): void {
    if (!this.running) return;
    // A pump under way looks again before it ends: no promise per wake-up (one per send() and per attempt).
    if (this.pumping) this.pumpAgain = true;
    else void this.pump();
  }

  /**
   * Resolves when no delivery is pending in the queue and no attempt is in flight. Rejects with a
   * `DeliveryQueueError` (`worker-stopped`) when the worker stops, or has stopped, with work still pending.
   */
  async idle(): Promise<void> {
    // Register first, then check: an attempt that ends while the check awaits the queue still finds the waiter.
    const idle = new Promise<void>((resolve, reject) => this.idleWaiters.push({ resolve, reject }));
    if (this.running) await this.notifyIfIdle();
    else await this.releaseWaiters();
    await idle;
  }

  /** Stops leasing, clears the timer and waits for the attempts in flight to be settled. */
  async stop(): Promise<void> {
    this.running = false;
    this.unwatch?.();
    this.unwatch = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = undefined;
    await Promise.allSettled([...this.settling.values()]);
    await this.releaseWaiters();
  }

  /** After stopping nothing will change any more: waiters learn now whether the queue is empty. */
  private async releaseWaiters(): Promise<void> {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    if (waiters.length === 0) return;
    const idle = await this.isIdle();
    for (const waiter of waiters) {
      if (idle) waiter.resolve();
      else
        waiter.reject(
          new DeliveryQueueError(
            'worker-stopped',
            'the delivery worker stopped with deliveries still pending; they stay in the queue.',
          ),
        );
    }
  }

  private readonly capacity = (endpointId: string): number =>
    this.options.endpointConcurrency - (this.inFlight.get(endpointId) ?? 0);

  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        do {
          this.pumpAgain = false;
          const free = this.options.concurrency - this.active;
          if (free <= 0) break;
          const leases = await this.queue.lease({
            now: this.now(),
            limit: free,
            leaseMs: this.options.leaseMs,
            endpointCapacity: this.capacity,
          });
          if (!this.running) {
            await this.release(leases);
            return;
          }
          for (const lease of leases) this.run(lease);
          if (leases.length === free) this.pumpAgain = true;
        } while (this.pumpAgain && this.running);
        // With every slot busy only a finishing attempt can make room, and it wakes the loop itself.
        if (this.active < this.options.concurrency) await this.scheduleTimer();
        // A wake() that came while the timer was being worked out must not be lost.
      } while (this.pumpAgain && this.running);
      // With a shared queue another process may have finished the last delivery: idle() learns it here,
      // on the wake-ups the queue's watch() gives, as it cannot from this worker's own attempts.
      if (this.idleWaiters.length > 0 && this.active === 0) void this.notifyIfIdle();
    } catch (error) {
      this.options.onError(error);
      this.setTimer(QUEUE_ERROR_BACKOFF_MS);
    } finally {
      this.pumping = false;
    }
  }

  private async scheduleTimer(): Promise<void> {
    if (!this.running) return;
    // With every slot busy only a finishing attempt can make room, and it wakes the loop itself: the queue
    // need not be asked (a timer already set stays; firing early only finds nothing due).
    if (this.active >= this.options.concurrency) return;
    const next = await this.queue.nextDueAt(this.capacity);
    if (next === undefined) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.timerDue = undefined;
      return;
    }
    this.setTimer(next - this.now());
  }

  /** Leases taken while stopping go back to the queue at once, unattempted. */
  private async release(leases: readonly Lease[]): Promise<void> {
    const now = this.now();
    await Promise.all(
      leases.map((lease) => this.queue.settle(lease, undefined, { status: 'pending', nextAttemptAt: now })),
    );
  }

  private setTimer(delayMs: number): void {
    if (!this.running) return;
    const delay = Math.min(Math.max(0, delayMs), MAX_DURATION_MS);
    const due = this.now() + delay;
    // A timer already set to fire no later is kept: re-arming on every settled attempt costs more than
    // an early wake-up, which only finds nothing due and sleeps again.
    if (this.timer && this.timerDue !== undefined && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = undefined;
      this.wake();
    }, delay);
  }

  private run(lease: Lease): void {
    const { endpointId } = lease.delivery;
    this.active += 1;
    this.inFlight.set(endpointId, (this.inFlight.get(endpointId) ?? 0) + 1);
    // Registered before the attempt can end: attemptAndFree() frees its slot only after an await.
    this.settling.set(lease, this.attemptAndFree(lease, endpointId));
  }

  /** One attempt, then its slot freed: one async function rather than a chain of three promises per attempt. */
  private async attemptAndFree(lease: Lease, endpointId: string): Promise<void> {
    try {
      await this.attempt(lease);
    } catch (error) {
      this.options.onError(error);
    } finally {
      this.active -= 1;
      const left = (this.inFlight.get(endpointId) ?? 1) - 1;
      if (left === 0) this.inFlight.delete(endpointId);
      else this.inFlight.set(endpointId, left);
      this.settling.delete(lease);
      this.wake();
      // Checked here first: asking the queue is only worth it while someone waits in idle() and no
      // attempt is in flight (during a drain() that is once, not once per attempt).
      if (this.idleWaiters.length > 0 && this.active === 0) void this.notifyIfIdle();
    }
  }

  private async attempt(lease: Lease): Promise<void> {
    const { delivery, message } = lease;
    const result = await this.deliver(lease, delivery.attempts.length + 1);
    if (result.kind === 'skipped') {
      if (await this.queue.settle(lease, undefined, { status: 'disabled' })) {
        this.options.onSettled(lease, result, undefined);
      }
      return;
    }
    const now = this.now();
    const attemptsInRound = delivery.attempts.length + 1 - delivery.scheduleBase;
    const { status, errorCode } = result.record;
    const decision = this.options
      .policyFor(message.event)
      .decide({ status, errorCode, retryAfter: result.retryAfter }, attemptsInRound, now);
    const settlement =
      decision.kind === 'delivered'
        ? ({ status: 'delivered' } as const)
        : decision.kind === 'disable'
          ? ({ status: 'disabled' } as const)
          : decision.kind === 'exhausted'
            ? ({ status: 'exhausted' } as const)
            : ({ status: 'pending', nextAttemptAt: now + decision.delayMs } as const);
    if (await this.queue.settle(lease, result.record, settlement)) {
      this.options.onSettled(lease, result, decision);
    }
  }

  private async isIdle(): Promise<boolean> {
    return this.active === 0 && (await this.queue.countPending()) === 0;
  }

  private async notifyIfIdle(): Promise<void> {
    if (this.idleWaiters.length === 0 || !(await this.isIdle())) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }
}
