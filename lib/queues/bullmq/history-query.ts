import { createHash } from 'node:crypto';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type DeliveryState,
  type MessageQuery,
  type PruneOptions,
} from '../../delivery/message-history';
import { DeliveryQueueError } from '../../errors';
import { describe } from '../../options';
import { isSortKey, sortTime } from './message-hash';

const STATES: readonly DeliveryState[] = ['pending', 'failing', 'delivered', 'exhausted', 'disabled', 'cancelled'];

/** Which index the query script walks (history-lua.ts names them). */
export type IndexKind = 'all' | 'owner' | 'owner-event' | 'endpoint' | 'endpoint-state';

/**
 * A MessageQuery as the query script takes it: the closest index, the filters that index does not answer
 * (checked per message), and the range of sort keys to read, from `hi` down to `lo`.
 *
 * The indexes that answer exactly: owner (and owner+event), endpoint, endpoint+status, and none (every
 * message). Filters without an index of their own are checked per message on the closest one: status
 * without an endpoint (on the owner or the all index), event without an owner (on the all index: an
 * index per event alone would cost memory for every message, for a filter the owner-scoped management
 * calls do not need), and owner or event beside an endpoint (on the endpoint's index, where an endpoint
 * usually has one owner, so nearly every message matches).
 */
export interface QueryPlan {
  readonly kind: IndexKind;
  /** '*' every owner, '-' messages without one, '=' `owner`'s. */
  readonly ownerMode: '*' | '-' | '=';
  readonly owner: string;
  readonly event: string;
  readonly endpoint: string;
  readonly state: string;
  /** Letters of the filters to check per message: o(wner), e(vent), s(tate). */
  readonly checks: string;
  readonly hi: string;
  readonly lo: string;
  readonly limit: number;
  /** Binds the cursors of this query's pages to its filters. */
  readonly filterHash: string;
}

const fail = (where: string, message: string): DeliveryQueueError =>
  new DeliveryQueueError('invalid-query', `${where}: ${message}`);

function optionalString(value: unknown, name: string, where: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw fail(where, `${name} must be a string, got ${describe(value)}.`);
}

function optionalTime(value: unknown, name: string, where: string): number | undefined {
  if (value === undefined || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw fail(where, `${name} must be epoch milliseconds (a finite number), got ${describe(value)}.`);
}

/**
 * Checks a history query and plans it. Rejects `invalid-query` for a bad filter or limit and
 * `invalid-cursor` for a cursor that is not one, or that a query with other filters made.
 */
export function planQuery(query: MessageQuery, where: string): QueryPlan {
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
  const endpointId = optionalString(query.endpointId, 'endpointId', where);
  const event = optionalString(query.event, 'event', where);
  const since = optionalTime(query.since, 'since', where);
  const until = optionalTime(query.until, 'until', where);
  const filterHash = hashFilters([
    owner === undefined ? 0 : owner === null ? 1 : [owner],
    endpointId ?? null,
    event ?? null,
    status ?? null,
    since ?? null,
    until ?? null,
  ]);

  const kind: IndexKind =
    endpointId !== undefined
      ? status !== undefined
        ? 'endpoint-state'
        : 'endpoint'
      : owner !== undefined
        ? event !== undefined
          ? 'owner-event'
          : 'owner'
        : 'all';
  const byEndpoint = kind === 'endpoint' || kind === 'endpoint-state';
  const checks =
    (owner !== undefined && byEndpoint ? 'o' : '') +
    (event !== undefined && kind !== 'owner-event' ? 'e' : '') +
    (status !== undefined && kind !== 'endpoint-state' ? 's' : '');

  // A window is a range of sort keys: `[<since>:` takes createdAt >= since, `(<until>:` createdAt < until.
  const top = until === undefined ? '+' : `(${sortTime(until)}:`;
  const lo = since === undefined ? '-' : `[${sortTime(since)}:`;
  const hi = cursor === undefined ? top : `(${decodeCursor(cursor, filterHash, where)}`;
  return {
    kind,
    ownerMode: owner === undefined ? '*' : owner === null ? '-' : '=',
    owner: owner ?? '',
    event: event ?? '',
    endpoint: endpointId ?? '',
    state: status ?? '',
    checks,
    hi,
    lo,
    limit,
    filterHash,
  };
}

/** A short hash of the filters (not the limit: a walk may change its page size). */
function hashFilters(filters: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 12);
}

/** The opaque cursor of the page after the sort key `position`: base64url JSON of it and the filters' hash. */
export function encodeCursor(plan: QueryPlan, position: string): string {
  return Buffer.from(JSON.stringify({ p: position, f: plan.filterHash })).toString('base64url');
}

function decodeCursor(cursor: unknown, filterHash: string, where: string): string {
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
  const { p, f } = (parsed ?? {}) as { p?: unknown; f?: unknown };
  if (typeof p !== 'string' || !isSortKey(p) || typeof f !== 'string') throw refuse('is not one this queue made');
  if (f !== filterHash) throw refuse('belongs to a query with other filters');
  return p;
}

/** Checks prune options; a rule left out is ''. */
export function checkPruneOptions(options: PruneOptions, where: string): { olderThan: string; keep: string } {
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
  return {
    olderThan: olderThan === undefined ? '' : sortTime(olderThan),
    keep: keepMessages === undefined ? '' : String(keepMessages),
  };
}

/** Checks a time window (endpointStats, recover): epoch milliseconds, `until` optional where `optional`. */
export function checkWindow(
  window: { since: number; until?: number },
  where: string,
): { since: number; until: number | undefined } {
  if (typeof window !== 'object' || window === null) {
    throw fail(where, `needs { since, until }, got ${describe(window)}.`);
  }
  const since = optionalTime(window.since, 'since', where);
  if (since === undefined) throw fail(where, 'since is required (epoch milliseconds).');
  return { since, until: optionalTime(window.until, 'until', where) };
}
