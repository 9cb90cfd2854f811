import type { CustomTypesConfig, Pool } from 'pg';
import type { OutboxMessage, RouteOutboxMessage } from '../../delivery';
import { insertMessages, type Enqueue } from './postgres-enqueues';
import type { RunQuery } from './postgres-rows';
import { inPoolTransaction } from './pool-transaction';

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

/** What a pass did: messages taken out of the outbox, and whether any delivery is pending now. */
export interface RoutedOutbox {
  readonly count: number;
  readonly pending: boolean;
}

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
 * different messages, and never one twice), inserts the messages with the deliveries `route` gives
 * them (one statement, as a batch of enqueues), and deletes the rows. Any failure rolls all of it back:
 * the rows are in the outbox again, unclaimed.
 */
export function routeOutbox(
  pool: Pool,
  types: CustomTypesConfig,
  route: RouteOutboxMessage,
  limit: number,
  /** The schema, quoted. */
  S: string,
  /** Names the queue's own failures; what `route` throws (the endpoint store's) is passed on as it is. */
  fail: (error: unknown) => Error,
): Promise<RoutedOutbox> {
  return inPoolTransaction(pool, types, fail, async (statement) => {
    const run: RunQuery = (_what, text, values) => statement(text, values);
    const rows = await statement<OutboxRow>(
      `SELECT seq, id, event, body, owner, created_at, endpoint_ids FROM ${S}.outbox
       ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    const routed: Enqueue[] = [];
    for (const row of rows) {
      const message = outboxMessage(row);
      const { endpointIds: _named, ...record } = message;
      const deliveries = await route(message);
      // A message no endpoint takes is not kept, as send() keeps none.
      if (deliveries.length > 0) routed.push({ message: record, deliveries });
    }
    if (routed.length > 0) await insertMessages(S, run, 'routing the outbox', routed);
    if (rows.length > 0) {
      await statement(`DELETE FROM ${S}.outbox WHERE seq = ANY($1::bigint[])`, [rows.map((row) => row.seq)]);
    }
    const pending = routed.some(({ deliveries }) => deliveries.some((d) => (d.status ?? 'pending') === 'pending'));
    return { count: rows.length, pending };
  });
}
