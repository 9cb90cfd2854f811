import type { MessageRecord, NewDelivery } from '../../delivery';
import type { RunQuery } from './postgres-rows';
import { StatementBatches, type Outcome } from './statement-batches';

/** PostgreSQL's unique_violation: a message id queued already. */
export const UNIQUE_VIOLATION = '23505';

/** A message with its deliveries, as enqueue() and the outbox's routing write them. */
export interface Enqueue {
  readonly message: MessageRecord;
  readonly deliveries: readonly NewDelivery[];
}

const isUniqueViolation = (error: unknown): boolean =>
  (error as { cause?: { code?: string } }).cause?.code === UNIQUE_VIOLATION;

/**
 * Writes messages with their deliveries, the enqueue() calls made while a statement runs together in
 * the next one (see StatementBatches): every call still resolves after the commit that holds its
 * message, and concurrent sends share a WAL flush. A batch refused for a duplicate id is written again
 * one message at a time, so that only the duplicate fails.
 */
export class PostgresEnqueues {
  private readonly batches = new StatementBatches<Enqueue, void>(
    (items) => this.runBatch(items),
    (item) => item.message.id,
  );

  constructor(
    /** The schema, quoted. */
    private readonly S: string,
    private readonly query: RunQuery,
  ) {}

  /** Resolves once the message and its deliveries are committed; rejects with the pg error otherwise. */
  enqueue(message: MessageRecord, deliveries: readonly NewDelivery[]): Promise<void> {
    return this.batches.add({ message, deliveries });
  }

  private async runBatch(items: readonly Enqueue[]): Promise<Outcome<void>[]> {
    try {
      await this.run(items);
      return items.map(() => ({ value: undefined }));
    } catch (error) {
      if (items.length === 1 || !isUniqueViolation(error)) throw error;
    }
    const outcomes: Outcome<void>[] = [];
    for (const item of items) {
      try {
        await this.run([item]);
        outcomes.push({ value: undefined });
      } catch (error) {
        outcomes.push({ error });
      }
    }
    return outcomes;
  }

  private run(items: readonly Enqueue[]): Promise<void> {
    return insertMessages(this.S, this.query, 'enqueue()', items);
  }
}

/**
 * One statement: the messages (a message without pending deliveries is finished at once, and numbered
 * so), then their deliveries in order of acceptance, so that `seq` keeps first-in first-out among
 * deliveries due at once.
 */
export async function insertMessages(
  /** The schema, quoted. */
  S: string,
  query: RunQuery,
  what: string,
  items: readonly Enqueue[],
): Promise<void> {
  const messages = items.map((item) => item.message);
  const statuses = items.map((item) => item.deliveries.map((d) => d.status ?? 'pending'));
  const deliveries = items.flatMap((item, index) => item.deliveries.map((d) => ({ index: index + 1, d })));
  await query(
    what,
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
                            $7::integer[])
         WITH ORDINALITY AS m (id, event, body, owner, created_at, erased_at, pending, i)
     ), message AS (
       INSERT INTO ${S}.messages (id, event, body, owner, created_at, erased_at, pending_count, finished_order)
       SELECT id, event, body, owner, created_at, erased_at, pending,
              CASE WHEN pending = 0 THEN nextval('${S}.finished_order') END
       FROM input ORDER BY i
       RETURNING id
     )
     INSERT INTO ${S}.deliveries
       (message_id, endpoint_id, url, owner, event, created_at, status, next_attempt_at)
     SELECT m.id, d.endpoint_id, d.url, m.owner, m.event, m.created_at, d.status,
            CASE WHEN d.status = 'pending' THEN d.due END
     FROM unnest($8::integer[], $9::text[], $10::text[], $11::text[], $12::bigint[])
       WITH ORDINALITY AS d (i, endpoint_id, url, status, due, n)
     JOIN input m ON m.i = d.i JOIN message ON message.id = m.id
     ORDER BY d.n`,
    [
      messages.map((message) => message.id),
      messages.map((message) => message.event),
      messages.map((message) => message.body),
      messages.map((message) => message.owner ?? null),
      messages.map((message) => message.createdAt),
      messages.map((message) => message.erasedAt ?? null),
      statuses.map((list) => list.filter((status) => status === 'pending').length),
      deliveries.map(({ index }) => index),
      deliveries.map(({ d }) => d.endpointId),
      deliveries.map(({ d }) => d.url),
      statuses.flat(),
      deliveries.map(({ d }) => d.nextAttemptAt),
    ],
  );
}
