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
 *   event, body, createdAt       the message (its id is in the key)
 *   owner                        its owner, only when it has one
 *   erasedAt                     when its payload was erased (body is then ''), only once erased
 *   sk                           its sort key (sortKey()): its member in every history index
 *   eps                          JSON array of its endpoint ids, in enqueue order
 *   pending                      how many of its deliveries are still pending
 *   u:<endpointId>               a delivery's URL
 *   s:<endpointId>               its status: pending, delivered, exhausted, disabled or cancelled
 *   b:<endpointId>               its scheduleBase: attempts made before the current retry round; absent
 *                                until a restart sets it, which reads as 0
 *   n:<endpointId>               its next attempt's due time (ms), only while pending
 *
 * Each delivery's attempt log is a list of its own (`HookspecKeys.attempts(jobId)`), one JSON attempt per entry.
 * Hashes written before 2026-12 also hold `id`, a `b:` of 0 from the start, and `jobs` (the deliveries' job ids,
 * which the scripts build from the ids: redis-keys.ts deliveryJobId, history-lua.ts job_id): none is read.
 */

/** The message's own fields. */
export const MESSAGE_FIELD = {
  event: 'event',
  body: 'body',
  createdAt: 'createdAt',
  owner: 'owner',
  erasedAt: 'erasedAt',
  sortKey: 'sk',
  endpoints: 'eps',
  pending: 'pending',
} as const;

/** Prefixes of each delivery's fields; the endpoint id follows. */
export const DELIVERY_FIELD = { url: 'u:', status: 's:', scheduleBase: 'b:', nextAttemptAt: 'n:' } as const;

const field = (prefix: string, endpointId: string): string => `${prefix}${endpointId}`;

/** Digits of a sort key's time: epoch milliseconds up to the year 33658, zero-padded so that text order is time order. */
const SORT_TIME_DIGITS = 15;
const MAX_SORT_TIME = 10 ** SORT_TIME_DIGITS - 1;

/** The time part of a sort key: `ms` (whole, clamped to what 15 digits hold), zero-padded. */
export function sortTime(ms: number): string {
  return String(Math.min(MAX_SORT_TIME, Math.max(0, Math.ceil(ms)))).padStart(SORT_TIME_DIGITS, '0');
}

/**
 * A message's member in the history indexes: `<createdAt, 15 digits>:<id>`. The indexes are sorted sets
 * whose scores are all 0, so Redis orders them by member, byte by byte: by createdAt, then by id, which is
 * the order a history page lists (reversed). A page then resumes strictly after the last member it
 * returned (`ZRANGE … BYLEX REV` from `(<member>`), so messages with equal createdAt are neither skipped
 * nor repeated, and a time window is a range of members (`[<since>:` to `(<until>:`).
 */
export function sortKey(message: Pick<MessageRecord, 'id' | 'createdAt'>): string {
  return `${sortTime(message.createdAt)}:${message.id}`;
}

/** The message id in a sort key. */
export function idOfSortKey(key: string): string {
  return key.slice(SORT_TIME_DIGITS + 1);
}

/** How many of `deliveries` start pending (the others are recorded as disabled at send time). */
export function pendingCount(deliveries: readonly NewDelivery[]): number {
  return deliveries.filter((d) => d.status !== 'disabled').length;
}

/** A new message's fields and values, flat (field, value, …), as HSET and the store script take them. */
export function encodeMessageHash(message: MessageRecord, deliveries: readonly NewDelivery[]): (string | number)[] {
  const f = MESSAGE_FIELD;
  const fields: (string | number)[] = [
    ...[f.event, message.event, f.body, message.body, f.createdAt, message.createdAt],
    ...[f.sortKey, sortKey(message)],
    ...[f.endpoints, JSON.stringify(deliveries.map((d) => d.endpointId))],
    ...[f.pending, pendingCount(deliveries)],
  ];
  if (message.owner !== undefined) fields.push(f.owner, message.owner);
  if (message.erasedAt !== undefined) fields.push(f.erasedAt, message.erasedAt);
  for (const d of deliveries) {
    const e = d.endpointId;
    const status = d.status ?? 'pending';
    fields.push(field(DELIVERY_FIELD.url, e), d.url, field(DELIVERY_FIELD.status, e), status);
    if (status === 'pending') fields.push(field(DELIVERY_FIELD.nextAttemptAt, e), d.nextAttemptAt);
  }
  return fields;
}

/** A message's own fields from its hash. */
function decodeMessage(messageId: string, hash: Record<string, string>): MessageRecord {
  const owner = hash[MESSAGE_FIELD.owner];
  const erasedAt = hash[MESSAGE_FIELD.erasedAt];
  return {
    id: messageId,
    event: hash[MESSAGE_FIELD.event] as string,
    body: hash[MESSAGE_FIELD.body] as string,
    createdAt: Number(hash[MESSAGE_FIELD.createdAt]),
    ...(owner !== undefined ? { owner } : {}),
    ...(erasedAt !== undefined ? { erasedAt: Number(erasedAt) } : {}),
  };
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
  return { message: decodeMessage(messageId, hash), deliveries };
}

/**
 * The fields the lease script reads (HMGET), as a Lua list where `e` is the endpoint id: the message,
 * then the delivery's url, status, scheduleBase and nextAttemptAt, then the message's owner.
 * decodeLease() reads them in this order.
 */
export const LEASE_FIELDS_LUA = [
  `'${MESSAGE_FIELD.event}'`,
  `'${MESSAGE_FIELD.body}'`,
  `'${MESSAGE_FIELD.createdAt}'`,
  ...Object.values(DELIVERY_FIELD).map((prefix) => `'${prefix}' .. e`),
  `'${MESSAGE_FIELD.owner}'`,
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
  const [event, body, createdAt, url, status, scheduleBase, nextAttemptAt, owner] = fields;
  // A delivery whose settlement was recorded (the move after it was not), one cancelled by an erasure, or
  // a message that was dropped.
  if (event == null || body == null || url == null || status !== 'pending') return { kind: 'ended' };
  return {
    kind: 'pending',
    message: { id: messageId, event, body, createdAt: Number(createdAt), ...(owner != null ? { owner } : {}) },
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
