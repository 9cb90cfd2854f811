import type { SettlementCall } from './script-calls';
import type { ScriptClient } from './script-client';
import { batchWrites } from './write-batch';

/** Sends one SETTLE for many settlements; its reply has one number per settlement, in order. */
export type SendSettlements = (client: ScriptClient, calls: readonly SettlementCall[]) => Promise<number[]>;

interface Entry {
  readonly call: SettlementCall;
  /** Sends what must follow the settlement's SETTLE on the same connection (BullMQ's move). */
  readonly after: () => void;
  readonly resolve: (recorded: number) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The settlements made on the worker's connection in one turn of the event loop, recorded by one SETTLE
 * command: a script call and an ioredis command a turn instead of one a settlement, on both sides. Each
 * settlement's own command after it (BullMQ's move, which must run after the settlement is recorded, as
 * both check the same lock) is sent right after that SETTLE, in the same corked write (write-batch.ts).
 * Each settlement gets its own result; a settlement waits no longer than the rest of its turn.
 */
export class SettleBatcher {
  private pending: Entry[] = [];
  private client: ScriptClient | undefined;

  constructor(private readonly send: SendSettlements) {}

  /**
   * Records `call` in this turn's SETTLE and, once that SETTLE is sent, calls `after`: resolves to the
   * settlement's result and to what `after` resolved to.
   */
  add<T>(
    client: ScriptClient,
    call: SettlementCall,
    after: () => Promise<T>,
  ): { readonly recorded: Promise<number>; readonly followed: Promise<T> } {
    let start!: () => void;
    const followed = new Promise<T>((resolve, reject) => {
      start = () => void after().then(resolve, reject);
    });
    const recorded = new Promise<number>((resolve, reject) => {
      if (this.pending.length === 0) {
        this.client = client;
        setImmediate(() => this.flush());
      }
      this.pending.push({ call, after: start, resolve, reject });
    });
    return { recorded, followed };
  }

  private flush(): void {
    const entries = this.pending;
    const client = this.client as ScriptClient;
    this.pending = [];
    this.client = undefined;
    batchWrites(client);
    let sent: Promise<number[]>;
    try {
      sent = this.send(
        client,
        entries.map((entry) => entry.call),
      );
    } catch (error) {
      sent = Promise.reject(error);
    }
    for (const entry of entries) entry.after();
    sent.then(
      (results) => {
        for (const [i, entry] of entries.entries()) entry.resolve(results[i] ?? 0);
      },
      (error: unknown) => {
        for (const entry of entries) entry.reject(error);
      },
    );
  }
}
