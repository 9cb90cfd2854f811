import { WEBHOOK_NAME_PATTERN } from '../metadata/webhook-name-pattern';
import { EndpointStoreError } from '../errors';
import { checkKnownKeys, describe } from '../options';
import { scopeOf } from './endpoint-fields';
import { DEFAULT_LIST_LIMIT, ENDPOINT_ID_PATTERN, MAX_LIST_LIMIT, MAX_OWNER_LENGTH } from './endpoint-limits';
import type { EndpointQuery, StoredEndpoint } from './writable-endpoint-store';

/** Where a page starts: after the endpoint with this creation time and id (the order of every listing). */
export interface ListPosition {
  readonly createdAt: number;
  readonly id: string;
}

/** A `list()` query once checked; `after` is the decoded cursor. */
export interface CheckedQuery {
  readonly owner: string | null | undefined;
  readonly event: string | undefined;
  readonly enabled: boolean | undefined;
  readonly limit: number;
  readonly after: ListPosition | undefined;
}

const QUERY_KEYS = Object.keys({
  owner: true,
  event: true,
  enabled: true,
  limit: true,
  cursor: true,
} satisfies Record<keyof EndpointQuery, true>);

/** Checks a listing's filters, limit and cursor; every problem is `invalid-query` but a bad cursor. */
export function checkEndpointQuery(query: unknown, where: string): CheckedQuery {
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    throw invalidQuery(
      where,
      `the query must be an object, e.g. { owner: 'acct_1', limit: 50 }; got ${describe(query)}.`,
    );
  }
  const fields = query as Record<string, unknown>;
  checkKnownKeys(fields, QUERY_KEYS, scopeOf(where, 'invalid-query'));
  const { owner, event, enabled, limit, cursor } = fields;
  if (
    owner !== undefined &&
    owner !== null &&
    !(typeof owner === 'string' && owner !== '' && owner.length <= MAX_OWNER_LENGTH)
  ) {
    throw invalidQuery(
      where,
      `owner must be an owner's id (a non-empty string of at most ${MAX_OWNER_LENGTH} characters), null for the ` +
        `endpoints without an owner, or left out for every owner's; got ${describe(owner)}.`,
    );
  }
  if (event !== undefined && !(typeof event === 'string' && WEBHOOK_NAME_PATTERN.test(event))) {
    throw invalidQuery(
      where,
      `event must be a webhook name (letters, digits, '.', '_' or '-'), got ${describe(event)}.`,
    );
  }
  if (enabled !== undefined && typeof enabled !== 'boolean') {
    throw invalidQuery(where, `enabled must be true or false, got ${describe(enabled)}.`);
  }
  if (
    limit !== undefined &&
    !(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_LIST_LIMIT)
  ) {
    throw invalidQuery(where, `limit must be a whole number from 1 to ${MAX_LIST_LIMIT}, got ${describe(limit)}.`);
  }
  return {
    owner: owner as string | null | undefined,
    event: event as string | undefined,
    enabled: enabled as boolean | undefined,
    limit: (limit as number | undefined) ?? DEFAULT_LIST_LIMIT,
    after: cursor === undefined ? undefined : decodeCursor(cursor, where),
  };
}

/** The cursor of the page that follows `endpoint`: opaque to callers, base64url of `[createdAt, id]`. */
export function cursorAfter(endpoint: StoredEndpoint): string {
  return Buffer.from(JSON.stringify([endpoint.createdAt, endpoint.id])).toString('base64url');
}

/** Whether `a` comes before `b` in listing order: creation time, then id. */
export function compareListPosition(a: ListPosition, b: ListPosition): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function decodeCursor(cursor: unknown, where: string): ListPosition {
  const position = typeof cursor === 'string' && /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? readCursor(cursor) : undefined;
  if (position === undefined) {
    throw new EndpointStoreError(
      'invalid-cursor',
      `${where}: cursor is not one this store answered; pass the nextCursor of the previous page unchanged, ` +
        'or leave it out for the first page.',
    );
  }
  return position;
}

function readCursor(cursor: string): ListPosition | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [createdAt, id] = value as unknown[];
  if (!Number.isSafeInteger(createdAt) || typeof id !== 'string' || !ENDPOINT_ID_PATTERN.test(id)) return undefined;
  return { createdAt: createdAt as number, id };
}

function invalidQuery(where: string, message: string): EndpointStoreError {
  return new EndpointStoreError('invalid-query', `${where}: ${message}`);
}
