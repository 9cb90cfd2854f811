import type { ChainableCommander } from 'ioredis';
import { DeliveryQueueError } from '../../errors';
import { safeMessage } from './redis-exec';
import type { ScriptClient, ScriptMulti } from './script-client';

/** Queues one enqueue's commands in a MULTI, synchronously, its STORE last; throws if it cannot. */
export type EnqueueBuild = (multi: ScriptMulti) => void;

interface Entry {
  readonly build: EnqueueBuild;
  readonly resolve: (stored: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Where an entry's commands' replies are in the MULTI's results: from its first to one past its last. */
interface Placed {
  readonly entry: Entry;
  readonly from: number;
  readonly to: number;
}

/**
 * The enqueues made in one turn of the event loop, sent as one MULTI. Making a MULTI costs ioredis a
 * copy of every script defined on the connection (BullMQ's 64 and hookspec's 10, twice each),
 * and each MULTI is a socket write and a transaction on both sides: concurrent sends (a web server's
 * requests) now share them, and a send alone waits no longer than the rest of its turn. Each message is
 * still stored with its jobs or not at all (the batch is one transaction), and each enqueue gets its own
 * STORE reply and its own commands' errors.
 */
export class EnqueueBatcher {
  private pending: Entry[] = [];
  /** Batches scheduled or running: close() waits for them. */
  private readonly flushing = new Set<Promise<void>>();

  constructor(
    private readonly client: () => Promise<ScriptClient>,
    /** Queued after the batch's commands: wakes workers in other processes. */
    private readonly finish: (multi: ScriptMulti) => void,
  ) {}

  /** Resolves to the enqueue's STORE reply once its batch's MULTI has run. */
  add(build: EnqueueBuild): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) this.schedule();
      this.pending.push({ build, resolve, reject });
    });
  }

  /** Resolves once every enqueue made so far has its answer. */
  async settled(): Promise<void> {
    while (this.flushing.size > 0) await Promise.all(this.flushing);
  }

  private schedule(): void {
    const flushed = new Promise<void>((resolve) =>
      setImmediate(() => {
        const entries = this.pending;
        this.pending = [];
        // Whatever fails unforeseen fails the batch's enqueues (an answered one ignores it), never hangs them.
        this.flush(entries)
          .catch((error: unknown) => {
            for (const entry of entries) entry.reject(failed(error));
          })
          .finally(resolve);
      }),
    );
    this.flushing.add(flushed);
    void flushed.then(() => this.flushing.delete(flushed));
  }

  private async flush(entries: readonly Entry[]): Promise<void> {
    let client: ScriptClient;
    try {
      client = await this.client();
    } catch (error) {
      for (const entry of entries) entry.reject(error);
      return;
    }
    const placed = this.place(client, entries);
    if (!placed) return;
    const [multi, all] = placed;
    let results: [Error | null, unknown][] | null;
    try {
      results = await (multi as ChainableCommander).exec();
    } catch (error) {
      for (const { entry } of all) entry.reject(failed(error));
      return;
    }
    for (const { entry, from, to } of all) {
      if (!results) {
        entry.reject(new DeliveryQueueError('queue-failed', 'BullMqQueue enqueue: the Redis transaction was aborted.'));
        continue;
      }
      const error = results.slice(from, to).find(([failure]) => failure)?.[0];
      if (error) entry.reject(failed(error));
      else entry.resolve(results[to - 1]?.[1]);
    }
  }

  /**
   * Builds the MULTI. An enqueue whose build throws is refused, and the MULTI is built again without it,
   * so that none of its commands (a job without its message) is sent. Undefined when none is left.
   */
  private place(client: ScriptClient, entries: readonly Entry[]): [ScriptMulti, Placed[]] | undefined {
    let left = entries;
    for (;;) {
      if (left.length === 0) return undefined;
      const multi = client.multi() as ScriptMulti;
      const start = multi.length;
      const placed: Placed[] = [];
      let refused: Entry | undefined;
      for (const entry of left) {
        const from = multi.length - start;
        try {
          entry.build(multi);
        } catch (error) {
          entry.reject(error);
          refused = entry;
          break;
        }
        placed.push({ entry, from, to: multi.length - start });
      }
      if (refused === undefined) {
        this.finish(multi);
        return [multi, placed];
      }
      left = left.filter((entry) => entry !== refused);
    }
  }
}

function failed(error: unknown): DeliveryQueueError {
  if (error instanceof DeliveryQueueError) return error;
  return new DeliveryQueueError('queue-failed', `BullMqQueue enqueue failed in Redis: ${safeMessage(error)}.`, {
    cause: error,
  });
}
