import type Database from 'better-sqlite3';
import type { CheckedQuery } from '../../endpoints/endpoint-query';
import { ALL_EVENTS } from '../../endpoints/endpoint-records';
import type { StoredEndpoint } from '../../endpoints/writable-endpoint-store';

/** A row of `hookspec_endpoints`. */
export interface EndpointRow {
  readonly id: string;
  readonly owner: string | null;
  readonly url: string;
  readonly events: string | null;
  readonly description: string | null;
  readonly headers: string | null;
  readonly metadata: string | null;
  readonly enabled: number;
  readonly disabled_reason: string | null;
  readonly created_at: number;
  readonly updated_at: number;
}

/** A row of `hookspec_endpoint_secrets`, as read for signing. */
export interface SecretRow {
  readonly secret: string;
  readonly expires_at: number | null;
}

const COLUMNS =
  'id, owner, url, events, description, headers, metadata, enabled, disabled_reason, created_at, updated_at';

/**
 * The endpoints of one owner (`IS`, so that NULL finds those without one) subscribed to one webhook or to
 * all: a search of `hookspec_endpoint_events_by_owner_event`, then each endpoint by its key.
 */
export const SUBSCRIBED_SQL = `
  SELECT ${COLUMNS.replace(/(\w+)/g, 'e.$1')}
  FROM hookspec_endpoint_events v JOIN hookspec_endpoints e ON e.id = v.endpoint_id
  WHERE v.owner IS ? AND v.event IN (?, '${ALL_EVENTS}')
  ORDER BY e.created_at, e.id`;

/** Current secret first, then the previous ones, the latest rotated out first. */
const SECRETS_SQL = `
  SELECT secret, expires_at FROM hookspec_endpoint_secrets WHERE endpoint_id = ?
  ORDER BY expires_at IS NOT NULL, seq DESC`;

/**
 * The SQL of a `list()` page, and its parameters, for the filters given: each shape is one statement
 * (prepared once), so that SQLite plans it on the right index — `by_owner` when an owner is given,
 * `in_order` otherwise — rather than one statement with optional filters that no index serves.
 */
export function listQuery(query: CheckedQuery): { sql: string; parameters: unknown[] } {
  const where: string[] = [];
  const parameters: unknown[] = [];
  if (query.owner !== undefined) {
    where.push('e.owner IS ?');
    parameters.push(query.owner);
  }
  if (query.enabled !== undefined) {
    where.push('e.enabled = ?');
    parameters.push(query.enabled ? 1 : 0);
  }
  if (query.event !== undefined) {
    where.push(
      `EXISTS (SELECT 1 FROM hookspec_endpoint_events v WHERE v.endpoint_id = e.id AND v.event IN (?, '${ALL_EVENTS}'))`,
    );
    parameters.push(query.event);
  }
  if (query.after !== undefined) {
    where.push('(e.created_at, e.id) > (?, ?)');
    parameters.push(query.after.createdAt, query.after.id);
  }
  parameters.push(query.limit + 1);
  const sql =
    `SELECT ${COLUMNS.replace(/(\w+)/g, 'e.$1')} FROM hookspec_endpoints e` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY e.created_at, e.id LIMIT ?';
  return { sql, parameters };
}

type Statement<P extends unknown[], R = unknown> = Database.Statement<P, R>;

/** Every fixed statement the store runs, prepared once per store. */
export interface EndpointStatements {
  readonly insert: Statement<[EndpointRow]>;
  readonly replace: Statement<[EndpointRow]>;
  readonly endpoint: Statement<[string], EndpointRow>;
  readonly deleteEndpoint: Statement<[string]>;
  readonly subscribed: Statement<[string | null, string], EndpointRow>;
  readonly insertEvent: Statement<[string, string, string | null]>;
  readonly deleteEvents: Statement<[string]>;
  readonly secrets: Statement<[string], SecretRow>;
  readonly insertSecret: Statement<[string, string, number | null]>;
  readonly expireCurrent: Statement<[number, string]>;
  readonly dropCurrent: Statement<[string]>;
  readonly pruneSecrets: Statement<[string, number]>;
  readonly deleteSecrets: Statement<[string]>;
}

export function prepareEndpointStatements(db: Database.Database): EndpointStatements {
  const named = COLUMNS.split(', ').map((column) => `@${column}`);
  return {
    insert: db.prepare(`INSERT INTO hookspec_endpoints (${COLUMNS}) VALUES (${named.join(', ')})`),
    replace: db.prepare(
      `UPDATE hookspec_endpoints SET url = @url, events = @events, description = @description, headers = @headers,
         metadata = @metadata, enabled = @enabled, disabled_reason = @disabled_reason, updated_at = @updated_at
       WHERE id = @id`,
    ),
    endpoint: db.prepare(`SELECT ${COLUMNS} FROM hookspec_endpoints WHERE id = ?`),
    deleteEndpoint: db.prepare('DELETE FROM hookspec_endpoints WHERE id = ?'),
    subscribed: db.prepare(SUBSCRIBED_SQL),
    insertEvent: db.prepare('INSERT INTO hookspec_endpoint_events (endpoint_id, event, owner) VALUES (?, ?, ?)'),
    deleteEvents: db.prepare('DELETE FROM hookspec_endpoint_events WHERE endpoint_id = ?'),
    secrets: db.prepare(SECRETS_SQL),
    insertSecret: db.prepare(
      'INSERT INTO hookspec_endpoint_secrets (endpoint_id, secret, expires_at) VALUES (?, ?, ?)',
    ),
    expireCurrent: db.prepare(
      'UPDATE hookspec_endpoint_secrets SET expires_at = ? WHERE endpoint_id = ? AND expires_at IS NULL',
    ),
    dropCurrent: db.prepare('DELETE FROM hookspec_endpoint_secrets WHERE endpoint_id = ? AND expires_at IS NULL'),
    pruneSecrets: db.prepare('DELETE FROM hookspec_endpoint_secrets WHERE endpoint_id = ? AND expires_at <= ?'),
    deleteSecrets: db.prepare('DELETE FROM hookspec_endpoint_secrets WHERE endpoint_id = ?'),
  };
}

/** An endpoint as a row: optional fields as NULL, objects and lists as JSON. */
export function endpointRow(endpoint: StoredEndpoint): EndpointRow {
  const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
  return {
    id: endpoint.id,
    owner: endpoint.owner ?? null,
    url: endpoint.url,
    events: json(endpoint.events),
    description: endpoint.description ?? null,
    headers: json(endpoint.headers),
    metadata: json(endpoint.metadata),
    enabled: endpoint.enabled ? 1 : 0,
    disabled_reason: endpoint.disabledReason ?? null,
    created_at: endpoint.createdAt,
    updated_at: endpoint.updatedAt,
  };
}

/** A row as the endpoint it holds, without the fields that are NULL. */
export function storedEndpoint(row: EndpointRow): StoredEndpoint {
  return {
    id: row.id,
    ...(row.owner !== null && { owner: row.owner }),
    url: row.url,
    ...(row.events !== null && { events: JSON.parse(row.events) as string[] }),
    ...(row.description !== null && { description: row.description }),
    ...(row.headers !== null && { headers: JSON.parse(row.headers) as Record<string, string> }),
    ...(row.metadata !== null && { metadata: JSON.parse(row.metadata) as Record<string, string> }),
    enabled: row.enabled === 1,
    ...(row.disabled_reason !== null && { disabledReason: row.disabled_reason }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
