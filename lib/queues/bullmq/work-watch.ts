import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const noop = (): void => {};

/**
 * Tells a worker process that work may have arrived from elsewhere: producers publish on a channel when
 * they enqueue or redeliver, a dedicated subscriber connection listens, and a timer fires every
 * `pollIntervalMs` as well, because Redis keeps no pub/sub message for a subscriber that is reconnecting.
 * A producer publishes its watch's `id`, and a watch ignores its own: the worker beside it (the same
 * client) is woken by `send()` itself, and would otherwise look again for every message it sends.
 */
export class WorkWatch {
  /** What this queue object publishes, so that its own watchers can tell their own announcements apart. */
  readonly id = randomUUID();
  private readonly watchers = new Set<() => void>();
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: () => Promise<Redis>,
    private readonly channel: string,
    private readonly pollIntervalMs: number,
  ) {}

  add(onWork: () => void): () => void {
    this.watchers.add(onWork);
    if (this.watchers.size === 1) {
      void this.subscribe();
      this.timer = setInterval(() => this.notify(), this.pollIntervalMs);
      this.timer.unref();
    }
    return () => {
      this.watchers.delete(onWork);
      if (this.watchers.size === 0) this.stop();
    };
  }

  notify(): void {
    for (const onWork of this.watchers) onWork();
  }

  close(): void {
    this.watchers.clear();
    this.stop();
  }

  private async subscribe(): Promise<void> {
    const client = await this.client().catch(() => undefined);
    if (!client || this.watchers.size === 0 || this.subscriber) return;
    const subscriber = client.duplicate();
    // A failing subscriber only delays wake-ups (the timer still runs); ioredis reconnects it.
    subscriber.on('error', noop);
    subscriber.on('message', (_channel: string, from: string) => {
      if (from !== this.id) this.notify();
    });
    this.subscriber = subscriber;
    await subscriber.subscribe(this.channel).catch(noop);
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) void subscriber.quit().catch(() => subscriber.disconnect());
  }
}
