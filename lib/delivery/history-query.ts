import { createHash } from 'node:crypto';
import { DeliveryQueueError } from '../errors';
import { describe } from '../options';
import type { MessageRecord } from './delivery-records';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type DeliveryState,
  type MessageQuery,
  type PruneOptions,
} from './message-history';

/** Where a page starts: just past this message in newest-first order. */
export interface HistoryPosition {
  readonly createdAt: number;
  readonly id: string;
}

/** A MessageQuery checked and decoded, for a queue to run. */
export interface CheckedMessageQuery {
  readonly owner?: string | null;
  readonly endpointId?: string;
  readonly event?: string;
  readonly status?: DeliveryState;
  readonly since?: number;
  readonly until?: number;
  readonly limit: number;
  /** From the cursor: list messages strictly after this one (older, or as old with a smaller id). */
  readonly after?: HistoryPosition;
  /** Binds the cursors of this query's pages to its filters. */
  readonly filterHash: string;
}

const STATES: readonly DeliveryState[] = ['pending', 'failing', 'delivered', 'exhausted', 'disabled', 'cancelled'];

const fail = (where: string, message: string): DeliveryQueueError =>
  new DeliveryQueueError('invalid-query', `${where}: ${message}`);

function optionalString(query: MessageQuery, key: 'endpointId' | 'event', where: string): string | undefined {
  const value = query[key];
  if (value === undefined || typeof value === 'string') return value;
  throw fail(where, `${key} must be a string, got ${describe(value)}.`);
}

function optionalTime(query: MessageQuery, key: 'since' | 'until', where: string): number | undefined {
  const value = query[key];
  if (value === undefined || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw fail(where, `${key} must be epoch milliseconds (a finite number), got ${describe(value)}.`);
}

/**
 * Checks a history query and decodes its cursor. Rejects `invalid-query` for a bad filter or limit and
 * `invalid-cursor` for a cursor that is not one, or that a query with other filters made.
 */
export function checkMessageQuery(query: MessageQuery, where: string): CheckedMessageQuery {
  if (typeof query !== 'object' || query === null) throw fail(where, `needs a query object, got ${describe(query)}.`);
  const { owner, status, limit = DEFAULT_PAGE_SIZE, cursor } = query;
  if (owner !== undefined && owner !== null && typeof owner !== 'string') {
    throw fail(where, `owner must be a string, or null for messages without one, got ${describe(owner)}.`);
  }
  if (status !== undefined && !STATES.includes(status)) {
    throw fail(where, `status must be one of ${STATES.join(', ')}, got ${describe(status)}.`);
  }
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw fail(where, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${describe(limit)}.`);
  }
  const checked = {
    ...(owner === undefined ? {} : { owner }),
    ...definedOnly('endpointId', optionalString(query, 'endpointId', where)),
    ...definedOnly('event', optionalString(query, 'event', where)),
    ...(status === undefined ? {} : { status }),
    ...definedOnly('since', optionalTime(query, 'since', where)),
    ...definedOnly('until', optionalTime(query, 'until', where)),
  };
  const filterHash = hashFilters(checked);
  if (cursor === undefined) return { ...checked, limit, filterHash };
  return { ...checked, limit, filterHash, after: decodeCursor(cursor, filterHash, where) };
}

function definedOnly<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** A short hash of the filters (not the limit: a walk may change its page size). */
function hashFilters(filters: Omit<CheckedMessageQuery, 'limit' | 'filterHash'>): string {
  const key = JSON.stringify([
    filters.owner === undefined ? 0 : filters.owner === null ? 1 : [filters.owner],
    filters.endpointId ?? null,
    filters.event ?? null,
    filters.status ?? null,
    filters.since ?? null,
    filters.until ?? null,
  ]);
  return createHash('sha256').update(key).digest('base64url').slice(0, 12);
}

/** The opaque cursor of the page after `last`: base64url JSON of the position and the filters' hash. */
export function encodeCursor(query: CheckedMessageQuery, last: MessageRecord): string {
  return Buffer.from(JSON.stringify({ t: last.createdAt, i: last.id, f: query.filterHash })).toString('base64url');
}

function decodeCursor(cursor: unknown, filterHash: string, where: string): HistoryPosition {
  const refuse = (why: string) =>
    new DeliveryQueueError(
      'invalid-cursor',
      `${where}: the cursor ${why}. Pass the nextCursor of the previous page, with the same filters.`,
    );
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw refuse('is not one this queue made');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse('is not one this queue made');
  }
  const { t, i, f } = (parsed ?? {}) as { t?: unknown; i?: unknown; f?: unknown };
  if (typeof t !== 'number' || !Number.isFinite(t) || typeof i !== 'string' || typeof f !== 'string') {
    throw refuse('is not one this queue made');
  }
  if (f !== filterHash) throw refuse('belongs to a query with other filters');
  return { createdAt: t, id: i };
}

/** True when `a` comes before `b` newest first: later createdAt, then larger id. */
export function newerThan(a: HistoryPosition, b: HistoryPosition): boolean {
  return a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
}

/** Checks prune options; `olderThan` and `keepMessages` stay undefined when not given. */
export function checkPruneOptions(options: PruneOptions, where: string): PruneOptions {
  if (typeof options !== 'object' || options === null) {
    throw fail(where, `needs an options object, got ${describe(options)}.`);
  }
  const { olderThan, keepMessages } = options;
  if (olderThan !== undefined && (typeof olderThan !== 'number' || !Number.isFinite(olderThan))) {
    throw fail(where, `olderThan must be epoch milliseconds (a finite number), got ${describe(olderThan)}.`);
  }
  if (
    keepMessages !== undefined &&
    (typeof keepMessages !== 'number' || !Number.isSafeInteger(keepMessages) || keepMessages < 0)
  ) {
    throw fail(where, `keepMessages must be a whole number of 0 or more, got ${describe(keepMessages)}.`);
  }
  return options;
}

/** Checks the epoch-millisecond times of an endpointStats or recover call (`undefined` allowed where optional). */
export function checkTimes(times: Readonly<Record<string, unknown>>, optional: readonly string[], where: string): void {
  for (const [name, value] of Object.entries(times)) {
    if (value === undefined && optional.includes(name)) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw fail(where, `${name} must be epoch milliseconds (a finite number), got ${describe(value)}.`);
    }
  }
}
