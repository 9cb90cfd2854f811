import type { Notification, Pool, PoolClient } from 'pg';

const noop = (): void => {};

/**
 * Tells a worker process that work may have arrived from elsewhere: producers NOTIFY a channel when they
 * enqueue, redeliver or recover, a dedicated connection of the pool LISTENs, and a timer fires every
 * `pollIntervalMs` as well, because the server keeps no notification for a listener that is
 * reconnecting (and because another process finishing the last delivery notifies nobody). A producer
 * sends its queue's `id`, and a watch ignores its own: the worker beside it (the same client) is woken
 * by `send()` itself, and would otherwise look again for every message it sends.
 */
export class WorkListener {
  private readonly watchers = new Set<() => void>();
  private listener: PoolClient | undefined;
  private connecting = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    /** The channel, quoted for LISTEN. */
    private readonly channel: string,
    private readonly id: string,
    private readonly pollIntervalMs: number,
    private readonly ready: () => Promise<void>,
  ) {}

  add(onWork: () => void): () => void {
    this.watchers.add(onWork);
    if (this.watchers.size === 1) {
      void this.listen();
      // Keeps the process alive while a worker waits for producers, as it should; close() stops it.
      this.timer = setInterval(() => {
        // A listener that failed is replaced at the next tick.
        if (!this.listener) void this.listen();
        this.notify();
      }, this.pollIntervalMs);
    }
    return () => {
      this.watchers.delete(onWork);
      if (this.watchers.size === 0) this.stop();
    };
  }

  close(): void {
    this.watchers.clear();
    this.stop();
  }

  private notify(): void {
    for (const onWork of this.watchers) onWork();
  }

  private async listen(): Promise<void> {
    if (this.connecting || this.listener || this.watchers.size === 0) return;
    this.connecting = true;
    let client: PoolClient | undefined;
    try {
      await this.ready();
      client = await this.pool.connect();
      const listening = client;
      listening.on('notification', (notification: Notification) => {
        if (notification.payload !== this.id) this.notify();
      });
      // A broken connection only delays wake-ups (the timer still runs) until the next tick replaces it.
      listening.on('error', () => this.drop(listening));
      await listening.query(`LISTEN ${this.channel}`);
      if (this.watchers.size === 0) throw new Error('stopped while connecting');
      this.listener = listening;
    } catch {
      if (client) this.drop(client);
    } finally {
      this.connecting = false;
    }
  }

  /** Destroys the connection rather than return it to the pool: it still LISTENs, or is broken. */
  private drop(client: PoolClient): void {
    if (this.listener === client) this.listener = undefined;
    client.removeAllListeners('notification');
    client.on('error', noop);
    try {
      client.release(true);
    } catch {
      // Released already (an error after a drop).
    }
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.listener) this.drop(this.listener);
  }
}
