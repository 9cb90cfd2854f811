import type { DeliveryQueue, OutboxQueue, RouteOutboxMessage } from '../delivery';

/** Outbox messages routed per pass: one queue transaction each, short enough to hold few locks. */
const BATCH = 100;
/** After a failed pass (the database or the endpoint store down), the next one waits this long. */
const RETRY_MS = 1_000;
/** How often a queue without `watch()` is looked at for messages other code committed. */
const POLL_MS = 1_000;

/**
 * Routes the messages that `send(payload, { tx })` wrote in callers' transactions, once they commit: on
 * start (messages committed while no worker ran, or before a crash), whenever the queue's `watch()`
 * says work may have arrived (PostgreSQL notifies at commit), and on a timer for queues without one.
 * Wake-ups never overlap: one during a pass runs another after it. `flush()` may run beside one, which
 * is safe as two workers' passes are: the queue claims each message for one pass.
 */
export class OutboxRouter {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private unwatch: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: DeliveryQueue & OutboxQueue,
    private readonly route: RouteOutboxMessage,
    /** Called after a pass routed messages: the worker has deliveries to lease. */
    private readonly routed: () => void,
    private readonly report: (error: unknown, what: string) => void,
  ) {}

  start(): void {
    this.unwatch = this.queue.watch?.(() => this.kick());
    if (!this.unwatch) {
      this.timer = setInterval(() => this.kick(), POLL_MS);
      this.timer.unref();
    }
    this.kick();
  }

  /**
   * Routes everything committed so far; rejects when a pass fails (for `drain()`). A wake-up's pass that
   * started beside this one may hold messages this one skipped (`SKIP LOCKED`): it is waited for, and
   * looked after again, so that nothing committed before the call is still being routed when it resolves.
   */
  async flush(): Promise<void> {
    do {
      await this.running?.catch(() => {});
      if (this.stopped) return;
      await this.pass();
    } while (this.running);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unwatch?.();
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => {});
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (error) {
          this.report(
            error,
            'routing the outbox failed; its messages stay there, and routing is tried again in a second',
          );
          const retry = setTimeout(() => this.kick(), RETRY_MS);
          retry.unref();
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
  }

  private async pass(): Promise<void> {
    while (!this.stopped) {
      const count = await this.queue.routeOutbox(this.route, { limit: BATCH });
      if (count === 0) return;
      this.routed();
    }
  }
}
