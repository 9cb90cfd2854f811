import type { AttemptRecord, DeliveryRecord, DeliveryStatus, MessageRecord, MessageView } from '../../delivery';

/** Runs a statement: `text` with `$1…` placeholders, answering its rows. */
export type RunQuery = <R>(what: string, text: string, values?: readonly unknown[]) => Promise<R[]>;

/** A message's columns, as the queue's statements select them. */
export interface MessageRow {
  readonly id: string;
  readonly event: string;
  readonly body: string;
  readonly owner: string | null;
  readonly created_at: number;
  readonly erased_at: number | null;
}

/** A delivery's columns, with its attempt log (JSON records in order). */
export interface DeliveryRow {
  readonly seq: number;
  readonly message_id: string;
  readonly endpoint_id: string;
  readonly url: string;
  readonly status: DeliveryStatus;
  readonly schedule_base: number;
  readonly next_attempt_at: number | null;
  readonly attempts: readonly string[];
}

/** A message joined with one of its deliveries (all null for a message without any). */
export type MessageDeliveryRow = MessageRow & { [K in keyof DeliveryRow]: DeliveryRow[K] | null };

/** The delivery columns and attempt log of `d` (a deliveries row), for a select list. */
export const DELIVERY_COLUMNS = (S: string): string =>
  'd.seq, d.message_id, d.endpoint_id, d.url, d.status, d.schedule_base, d.next_attempt_at, ' +
  `ARRAY(SELECT a.record FROM ${S}.attempts a WHERE a.delivery_seq = d.seq ORDER BY a.attempt_index) AS attempts`;

/** The message columns of `m`, for a select list. */
export const MESSAGE_COLUMNS = 'm.id, m.event, m.body, m.owner, m.created_at, m.erased_at';

export function messageRecord(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    event: row.event,
    body: row.body,
    createdAt: row.created_at,
    ...(row.owner === null ? {} : { owner: row.owner }),
    ...(row.erased_at === null ? {} : { erasedAt: row.erased_at }),
  };
}

export function deliveryRecord(row: DeliveryRow): DeliveryRecord {
  return {
    messageId: row.message_id,
    endpointId: row.endpoint_id,
    url: row.url,
    status: row.status,
    attempts: row.attempts.map((record) => JSON.parse(record) as AttemptRecord),
    scheduleBase: row.schedule_base,
    ...(row.status === 'pending' && row.next_attempt_at !== null ? { nextAttemptAt: row.next_attempt_at } : {}),
  };
}

/** Message views from rows of messages joined with their deliveries, in the rows' order of messages. */
export function messageViews(rows: readonly MessageDeliveryRow[]): MessageView[] {
  const views = new Map<string, { message: MessageRecord; deliveries: DeliveryRecord[] }>();
  for (const row of rows) {
    let view = views.get(row.id);
    if (!view) {
      view = { message: messageRecord(row), deliveries: [] };
      views.set(row.id, view);
    }
    if (row.seq !== null) view.deliveries.push(deliveryRecord(row as MessageRow & DeliveryRow));
  }
  return [...views.values()];
}
