import type { CustomTypesConfig, Pool } from 'pg';
import type { MessageRecord, NewDelivery, OutboxMessage, RouteOutboxMessage } from '../../delivery';
import type { RunQuery } from './postgres-rows';

/** An outbox row, as routing claims it. */
interface OutboxRow {
  readonly seq: number;
  readonly id: string;
  readonly event: string;
  readonly body: string;
  readonly owner: string | null;
  readonly created_at: number;
  readonly endpoint_ids: string[] | null;
}

/** Inserts a routed message with its deliveries, with the statement runner of the routing transaction. */
export type InsertMessage = (
  run: RunQuery,
  message: MessageRecord,
  deliveries: readonly NewDelivery[],
) => Promise<void>;

function outboxMessage(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    event: row.event,
    body: row.body,
    createdAt: row.created_at,
    ...(row.owner !== null ? { owner: row.owner } : {}),
    ...(row.endpoint_ids !== null ? { endpointIds: row.endpoint_ids } : {}),
  };
}

/**
 * One routing pass, in one transaction on a connection of its own: claims up to `limit` committed outbox
 * rows, oldest first, skipping rows another worker has claimed (`SKIP LOCKED`: two workers route
 * different messages, and never one twice), inserts each message with the deliveries `route` gives it,
 * and deletes the rows. Any failure rolls all of it back: the rows are in the outbox again, unclaimed.
 */
export async function routeOutbox(
  pool: Pool,
  S: string,
  types: CustomTypesConfig,
  route: RouteOutboxMessage,
  limit: number,
  insert: InsertMessage,
  /** Names the queue's own failures; what `route` throws (the endpoint store's) is passed on as it is. */
  fail: (error: unknown) => Error,
): Promise<number> {
  const client = await pool.connect().catch((error: unknown) => {
    throw fail(error);
  });
  const run: RunQuery = async <R>(_what: string, text: string, values: readonly unknown[] = []) => {
    try {
      return (await client.query({ text, values: values as unknown[], types })).rows as R[];
    } catch (error) {
      throw fail(error);
    }
  };
  let broken = false;
  try {
    await run('routing the outbox', 'BEGIN');
    try {
      const rows = await run<OutboxRow>(
        'routing the outbox',
        `SELECT seq, id, event, body, owner, created_at, endpoint_ids FROM ${S}.outbox
         ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      for (const row of rows) {
        const message = outboxMessage(row);
        const { endpointIds: _named, ...record } = message;
        const deliveries = await route(message);
        // A message no endpoint takes is not kept, as send() keeps none.
        if (deliveries.length > 0) await insert(run, record, deliveries);
      }
      if (rows.length > 0) {
        await run('routing the outbox', `DELETE FROM ${S}.outbox WHERE seq = ANY($1::bigint[])`, [
          rows.map((row) => row.seq),
        ]);
      }
      await run('routing the outbox', 'COMMIT');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
  } finally {
    // A connection whose ROLLBACK failed may still hold the transaction: it is destroyed, not reused.
    client.release(broken);
  }
}
