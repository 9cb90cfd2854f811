import {
  checkMessageQuery,
  checkPruneOptions,
  encodeCursor,
  type CheckedMessageQuery,
} from '../../delivery/history-query';
import type { MessageQuery, PruneOptions } from '../../delivery/message-history';
import { DeliveryQueueError } from '../../errors';
import { describe } from '../../options';
import { idOfSortKey, sortKey, sortTime } from './message-hash';

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
  /** The query as checked: its cursors are made from it. */
  readonly checked: CheckedMessageQuery;
}

/**
 * Checks a history query (the rules every queue shares: lib/delivery/history-query.ts) and plans it.
 * Rejects `invalid-query` for a bad filter or limit and `invalid-cursor` for a foreign cursor.
 */
export function planQuery(query: MessageQuery, where: string): QueryPlan {
  const checked = checkMessageQuery(query, where);
  const { owner, endpointId, event, status, since, until, after } = checked;
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

  // A window is a range of sort keys: `[<since>:` takes createdAt >= since, `(<until>:` createdAt < until;
  // a cursor's position `(<its sort key>` resumes strictly past it.
  const top = until === undefined ? '+' : `(${sortTime(until)}:`;
  return {
    kind,
    ownerMode: owner === undefined ? '*' : owner === null ? '-' : '=',
    owner: owner ?? '',
    event: event ?? '',
    endpoint: endpointId ?? '',
    state: status ?? '',
    checks,
    hi: after === undefined ? top : `(${sortKey(after)}`,
    lo: since === undefined ? '-' : `[${sortTime(since)}:`,
    limit: checked.limit,
    checked,
  };
}

/** The cursor of the page that resumes past the sort key `position` (a message listed, or only looked at). */
export function cursorAt(plan: QueryPlan, position: string): string {
  const createdAt = Number(position.slice(0, position.indexOf(':')));
  return encodeCursor(plan.checked, { id: idOfSortKey(position), createdAt, event: '', body: '' });
}

/** Checks prune options as every queue does; a rule left out is ''. */
export function pruneRules(options: PruneOptions, where: string): { olderThan: string; keep: string } {
  const { olderThan, keepMessages } = checkPruneOptions(options, where);
  return {
    olderThan: olderThan === undefined ? '' : sortTime(olderThan),
    keep: keepMessages === undefined ? '' : String(keepMessages),
  };
}

const fail = (where: string, message: string): DeliveryQueueError =>
  new DeliveryQueueError('invalid-query', `${where}: ${message}`);

function optionalTime(value: unknown, name: string, where: string): number | undefined {
  if (value === undefined || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw fail(where, `${name} must be epoch milliseconds (a finite number), got ${describe(value)}.`);
}

/** Checks a time window (endpointStats, recover): epoch milliseconds; `until` may be left out. */
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
