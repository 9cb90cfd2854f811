import type { ResolvedRetention } from './webhook-admin-options';

/**
 * Prunes the history on a timer: once right away, then every `intervalMs`, one prune at a time. The
 * timer is unref'd (it never keeps the process alive), and a failed prune is reported and tried again at
 * the next tick, never thrown: retention is housekeeping, not a reason to crash.
 */
export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly options: ResolvedRetention,
    private readonly prune: (limits: { maxAgeMs?: number; maxMessages?: number }) => Promise<number>,
    private readonly report: (error: unknown, what: string) => void,
  ) {
    this.schedule(0);
  }

  /** Stops the timer; resolves once a prune in progress has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => {
        this.running = undefined;
        this.schedule(this.options.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    const { maxAgeMs, maxMessages } = this.options;
    try {
      await this.prune({
        ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
        ...(maxMessages !== undefined ? { maxMessages } : {}),
      });
    } catch (error) {
      try {
        this.report(error, 'retention: pruning the message history failed; trying again at the next interval');
      } catch {
        // An `error` listener that throws must not turn housekeeping into an unhandled rejection.
      }
    }
  }
}
