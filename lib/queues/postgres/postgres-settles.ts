import type { RunQuery } from './postgres-rows';
import { StatementBatches } from './statement-batches';

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

/**
 * Settles leases in batches (see StatementBatches): one settle() of a delivery per batch, so that a
 * second one (a lease settled twice) finds the token the first cleared and answers false, as it would
 * one at a time.
 */
export class PostgresSettles {
  private readonly batches = new StatementBatches<SettleRow, boolean>(
    async (rows) => {
      const settled = await this.run(rows);
      return rows.map((row) => ({ value: settled.has(row.seq) }));
    },
    (row) => row.seq,
  );

  constructor(
    /** The schema, quoted. */
    private readonly S: string,
    private readonly query: RunQuery,
    /** Called with the newest finished_order a batch gave out, to prune what retention lets go. */
    private readonly onFinished: (finishedOrder: number) => Promise<void>,
  ) {}

  /** Whether the lease still held its delivery (and the settlement was recorded). */
  settle(row: SettleRow): Promise<boolean> {
    return this.batches.add(row);
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
