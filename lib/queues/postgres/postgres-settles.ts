import type { RunQuery } from './postgres-rows';

/** One settle() call, as the batch statement takes it. */
export interface SettleRow {
  readonly seq: number;
  readonly token: string;
  readonly status: string;
  /** null unless the delivery stays pending. */
  readonly nextAttemptAt: number | null;
  /** 1 when an attempt was made (and is recorded), 0 for a lease given back unattempted. */
  readonly attempted: 0 | 1;
  readonly startedAt: number;
  readonly succeeded: boolean;
  /** The attempt record as JSON, or null. */
  readonly record: string | null;
}

interface Waiting {
  readonly row: SettleRow;
  readonly resolve: (settled: boolean) => void;
  readonly reject: (error: unknown) => void;
}

/** Settles in one statement at most: a worker settles at most its concurrency at once. */
const MAX_BATCH = 256;

/**
 * Settles leases in batches: the settle() calls made while a batch statement runs go together into the
 * next one. Each statement is a transaction, and a durable commit waits for its WAL flush: one commit for
 * every delivery made the flush the bound on throughput, while a batch shares it. A lone settle() still
 * runs at once, in a batch of one.
 */
export class PostgresSettles {
  private waiting: Waiting[] = [];
  private running = false;

  constructor(
    /** The schema, quoted. */
    private readonly S: string,
    private readonly query: RunQuery,
    /** Called with the newest finished_order a batch gave out, to prune what retention lets go. */
    private readonly onFinished: (finishedOrder: number) => Promise<void>,
  ) {}

  /** Whether the lease still held its delivery (and the settlement was recorded). */
  settle(row: SettleRow): Promise<boolean> {
    const settled = new Promise<boolean>((resolve, reject) => this.waiting.push({ row, resolve, reject }));
    if (!this.running) void this.drain();
    return settled;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.nextBatch();
        try {
          const settled = await this.run(batch.map((entry) => entry.row));
          for (const entry of batch) entry.resolve(settled.has(entry.row.seq));
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Up to MAX_BATCH waiting calls, one per delivery: a second settle() of one delivery waits for the next
   * batch, where the first one's cleared token makes it answer false, as it would have one at a time.
   */
  private nextBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    const seqs = new Set<number>();
    for (const entry of this.waiting) {
      if (batch.length < MAX_BATCH && !seqs.has(entry.row.seq)) {
        seqs.add(entry.row.seq);
        batch.push(entry);
      } else rest.push(entry);
    }
    this.waiting = rest;
    return batch;
  }

  /**
   * One statement for the batch: each delivery whose lease still holds takes its settlement (a delivery
   * cancelled while leased records the attempt and stays cancelled), its attempt is recorded, and each
   * message counts down its pending deliveries by how many of them ended here; the update that takes a
   * message to 0 numbers it as finished (the message's row lock orders two workers finishing its last
   * two). Answers the deliveries settled.
   */
  private async run(rows: readonly SettleRow[]): Promise<Set<number>> {
    const S = this.S;
    const result = await this.query<{ seq: number; finished_order: number | null }>(
      'settle()',
      `WITH input AS (
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::integer[], $6::bigint[],
                              $7::boolean[], $8::text[])
           AS s (seq, token, status, next_attempt_at, attempted, started_at, succeeded, record)
       ), settled AS (
         UPDATE ${S}.deliveries d SET lease_token = NULL, leased_until = NULL,
           status = CASE WHEN d.status = 'cancelled' THEN d.status ELSE s.status END,
           next_attempt_at = CASE WHEN d.status = 'cancelled' THEN NULL ELSE s.next_attempt_at END,
           attempt_count = d.attempt_count + s.attempted
         FROM input s WHERE d.seq = s.seq AND d.lease_token = s.token
         RETURNING d.seq, d.message_id, d.status, d.attempt_count
       ), attempt AS (
         INSERT INTO ${S}.attempts (delivery_seq, attempt_index, started_at, succeeded, record)
         SELECT settled.seq, settled.attempt_count - 1, s.started_at, s.succeeded, s.record
         FROM settled JOIN input s ON s.seq = settled.seq WHERE s.record IS NOT NULL
       ), finished AS (
         UPDATE ${S}.messages m SET pending_count = m.pending_count - f.n,
           finished_order = CASE WHEN m.pending_count = f.n THEN nextval('${S}.finished_order') END
         FROM (SELECT message_id, count(*)::integer AS n FROM settled
               WHERE status NOT IN ('pending', 'cancelled') GROUP BY message_id) f
         WHERE m.id = f.message_id
         RETURNING m.finished_order
       )
       SELECT seq, (SELECT max(finished_order) FROM finished) AS finished_order FROM settled`,
      [
        rows.map((row) => row.seq),
        rows.map((row) => row.token),
        rows.map((row) => row.status),
        rows.map((row) => row.nextAttemptAt),
        rows.map((row) => row.attempted),
        rows.map((row) => row.startedAt),
        rows.map((row) => row.succeeded),
        rows.map((row) => row.record),
      ],
    );
    const finished = result[0]?.finished_order;
    if (finished != null) await this.onFinished(finished);
    return new Set(result.map((row) => row.seq));
  }
}
