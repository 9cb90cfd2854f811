import type { NewDelivery } from '../../delivery/delivery-queue';
import type {
  AttemptRecord,
  DeliveryRecord,
  DeliveryStatus,
  MessageRecord,
  MessageView,
} from '../../delivery/delivery-records';

/*
 * The layout of a message's Redis hash (`HookspecKeys.message(id)`), encoded and decoded here only. The
 * Lua scripts (redis-scripts.ts) read and write the same fields, and take their names from these
 * constants, so a change of layout is made in this file.
 *
 *   id, event, body, createdAt   the message
 *   eps                          JSON array of its endpoint ids, in enqueue order
 *   jobs                         JSON array of its delivery job ids (retention deletes their attempt logs)
 *   pending                      how many of its deliveries are still pending
 *   u:<endpointId>               a delivery's URL
 *   s:<endpointId>               its status: pending, delivered, exhausted or disabled
 *   b:<endpointId>               its scheduleBase: attempts made before the current retry round
 *   n:<endpointId>               its next attempt's due time (ms), only while pending
 *
 * Each delivery's attempt log is a list of its own (`HookspecKeys.attempts(jobId)`), one JSON attempt per entry.
 */

/** The message's own fields. */
export const MESSAGE_FIELD = {
  id: 'id',
  event: 'event',
  body: 'body',
  createdAt: 'createdAt',
  endpoints: 'eps',
  jobs: 'jobs',
  pending: 'pending',
} as const;

/** Prefixes of each delivery's fields; the endpoint id follows. */
export const DELIVERY_FIELD = { url: 'u:', status: 's:', scheduleBase: 'b:', nextAttemptAt: 'n:' } as const;

const field = (prefix: string, endpointId: string): string => `${prefix}${endpointId}`;

/** A new message's fields and values, flat (field, value, …), as HSET and the store script take them. */
export function encodeMessageHash(
  message: MessageRecord,
  deliveries: readonly NewDelivery[],
  jobIds: readonly string[],
): (string | number)[] {
  const f = MESSAGE_FIELD;
  const fields: (string | number)[] = [
    ...[f.id, message.id, f.event, message.event, f.body, message.body, f.createdAt, message.createdAt],
    ...[f.endpoints, JSON.stringify(deliveries.map((d) => d.endpointId)), f.jobs, JSON.stringify(jobIds)],
    ...[f.pending, deliveries.length],
  ];
  for (const d of deliveries) {
    const e = d.endpointId;
    fields.push(
      ...[field(DELIVERY_FIELD.url, e), d.url, field(DELIVERY_FIELD.status, e), 'pending'],
      ...[field(DELIVERY_FIELD.scheduleBase, e), 0, field(DELIVERY_FIELD.nextAttemptAt, e), d.nextAttemptAt],
    );
  }
  return fields;
}

/** The endpoint ids of a stored message, from its hash (HGETALL), or undefined when there is no such message. */
export function endpointsOfHash(hash: Record<string, string>): string[] | undefined {
  const endpoints = hash[MESSAGE_FIELD.endpoints];
  if (hash[MESSAGE_FIELD.event] === undefined || hash[MESSAGE_FIELD.body] === undefined) return undefined;
  return endpoints === undefined ? undefined : (JSON.parse(endpoints) as string[]);
}

/** A stored message with every delivery, from its hash and its deliveries' attempt logs (in `endpoints` order). */
export function decodeMessageHash(
  messageId: string,
  hash: Record<string, string>,
  endpoints: readonly string[],
  logs: readonly (readonly string[])[],
): MessageView {
  const deliveries = endpoints.map((endpointId, i): DeliveryRecord => {
    const status = (hash[field(DELIVERY_FIELD.status, endpointId)] ?? 'pending') as DeliveryStatus;
    const nextAttemptAt = hash[field(DELIVERY_FIELD.nextAttemptAt, endpointId)];
    return {
      messageId,
      endpointId,
      url: hash[field(DELIVERY_FIELD.url, endpointId)] ?? '',
      status,
      attempts: decodeAttempts(logs[i] ?? []),
      scheduleBase: Number(hash[field(DELIVERY_FIELD.scheduleBase, endpointId)] ?? 0),
      ...(status === 'pending' && nextAttemptAt !== undefined ? { nextAttemptAt: Number(nextAttemptAt) } : {}),
    };
  });
  return {
    message: {
      id: messageId,
      event: hash[MESSAGE_FIELD.event] as string,
      body: hash[MESSAGE_FIELD.body] as string,
      createdAt: Number(hash[MESSAGE_FIELD.createdAt]),
    },
    deliveries,
  };
}

/**
 * The fields the lease script reads (HMGET), as a Lua list where `e` is the endpoint id: the message,
 * then the delivery's url, status, scheduleBase and nextAttemptAt. decodeLease() reads them in this order.
 */
export const LEASE_FIELDS_LUA = [
  `'${MESSAGE_FIELD.event}'`,
  `'${MESSAGE_FIELD.body}'`,
  `'${MESSAGE_FIELD.createdAt}'`,
  ...Object.values(DELIVERY_FIELD).map((prefix) => `'${prefix}' .. e`),
].join(', ');

/** What a lease finds: not its lock any more, a delivery that already ended, or a pending delivery to attempt. */
export type LeaseRead =
  | { readonly kind: 'lost' }
  | { readonly kind: 'ended' }
  | { readonly kind: 'pending'; readonly message: MessageRecord; readonly delivery: DeliveryRecord };

/** The lease script's reply (null when the lock is no longer ours, else the LEASE_FIELDS_LUA values and the log). */
export function decodeLease(reply: unknown, messageId: string, endpointId: string): LeaseRead {
  if (!Array.isArray(reply)) return { kind: 'lost' };
  const [fields, attempts] = reply as [(string | null)[], string[]];
  const [event, body, createdAt, url, status, scheduleBase, nextAttemptAt] = fields;
  // A delivery whose settlement was recorded (the move after it was not), or a message that was dropped.
  if (event == null || body == null || url == null || status !== 'pending') return { kind: 'ended' };
  return {
    kind: 'pending',
    message: { id: messageId, event, body, createdAt: Number(createdAt) },
    delivery: {
      messageId,
      endpointId,
      url,
      status: 'pending',
      attempts: decodeAttempts(attempts),
      scheduleBase: Number(scheduleBase ?? 0),
      nextAttemptAt: Number(nextAttemptAt ?? 0),
    },
  };
}

/** The JSON attempt written into a delivery's attempt log. */
export function encodeAttempt(attempt: AttemptRecord | undefined): string {
  return attempt ? JSON.stringify(attempt) : '';
}

function decodeAttempts(log: readonly string[]): AttemptRecord[] {
  return log.map((entry) => JSON.parse(entry) as AttemptRecord);
}
