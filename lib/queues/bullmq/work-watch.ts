import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const noop = (): void => {};

/**
 * Tells a worker process that work may have arrived from elsewhere: producers publish on a channel when
 * they enqueue or redeliver, a dedicated subscriber connection listens, and a timer fires every
 * `pollIntervalMs` as well, because Redis keeps no pub/sub message for a subscriber that is reconnecting.
 * A producer publishes its watch's `id`, and a watch ignores its own: the worker beside it (the same
 * client) is woken by `send()` itself, and would otherwise look again for every message it sends.
 * Announcements made while one is on its way fold into one more, sent once it is done: a worker is still
 * woken after the last store, without a message (and a wake-up) per send.
 */
export class WorkWatch {
  /** What this queue object publishes, so that its own watchers can tell their own announcements apart. */
  readonly id = randomUUID();
  private readonly watchers = new Set<() => void>();
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** An announcement is on its way (publishing), and another was asked for since it was sent (again). */
  private publishing = false;
  private again = false;

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

  /** Tells workers in other processes that work was stored (call it once the store has succeeded). */
  announce(): void {
    this.again = true;
    if (this.publishing) return;
    this.publishing = true;
    void this.publishLoop();
  }

  notify(): void {
    for (const onWork of this.watchers) onWork();
  }

  close(): void {
    this.watchers.clear();
    this.stop();
  }

  private async publishLoop(): Promise<void> {
    try {
      while (this.again) {
        this.again = false;
        await (await this.client()).publish(this.channel, this.id);
      }
    } catch {
      // A lost announcement only delays a wake-up until the workers' next poll.
    } finally {
      this.publishing = false;
    }
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
