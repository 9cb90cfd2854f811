import type { CheckedQuery } from '../../endpoints/endpoint-query';
import { ALL_EVENTS } from '../../endpoints/endpoint-records';
import type { StoredEndpoint } from '../../endpoints/writable-endpoint-store';

/** A row of `endpoints`. */
export interface EndpointRow {
  readonly id: string;
  readonly owner: string | null;
  readonly url: string;
  readonly events: string | null;
  readonly description: string | null;
  readonly headers: string | null;
  readonly metadata: string | null;
  readonly enabled: boolean;
  readonly disabled_reason: string | null;
  readonly created_at: number;
  readonly updated_at: number;
}

/** A row of `endpoints` as read for signing: with the secrets that sign now, current first. */
export interface SigningRow extends EndpointRow {
  readonly secrets: string[];
  /** Whether the endpoint has secrets whose grace is over, to be deleted. */
  readonly stale: boolean;
}

const COLUMN_NAMES = [
  'id',
  'owner',
  'url',
  'events',
  'description',
  'headers',
  'metadata',
  'enabled',
  'disabled_reason',
  'created_at',
  'updated_at',
] as const;

const COLUMNS = COLUMN_NAMES.join(', ');
const E_COLUMNS = COLUMN_NAMES.map((column) => `e.${column}`).join(', ');

/** A row's values in COLUMNS order, as the parameters $1…$11. */
export function rowValues(row: EndpointRow): unknown[] {
  return COLUMN_NAMES.map((column) => row[column]);
}

/** The parameters of the `replace` statement. */
export function replaceValues(row: EndpointRow): unknown[] {
  return [
    row.id,
    row.url,
    row.events,
    row.description,
    row.headers,
    row.metadata,
    row.enabled,
    row.disabled_reason,
    row.updated_at,
  ];
}

/**
 * The statements of a store on the schema `S` (quoted). Those that read for signing take the time that
 * decides which secrets still sign; an owner is matched with `=` or `IS NULL`, never `IS NOT DISTINCT
 * FROM`, which no index serves.
 */
export function endpointStatements(S: string) {
  /** The secrets that sign at $now, current first, then the latest rotated out first; and whether any is over. */
  const signing = (now: string) =>
    `ARRAY(SELECT s.secret FROM ${S}.endpoint_secrets s
           WHERE s.endpoint_id = e.id AND (s.expires_at IS NULL OR s.expires_at > ${now})
           ORDER BY s.expires_at IS NOT NULL, s.seq DESC) AS secrets,
     EXISTS (SELECT 1 FROM ${S}.endpoint_secrets s WHERE s.endpoint_id = e.id AND s.expires_at <= ${now}) AS stale`;
  const subscribed = (ownerMatch: string, event: string, now: string) =>
    `SELECT ${E_COLUMNS}, ${signing(now)}
     FROM ${S}.endpoint_events v JOIN ${S}.endpoints e ON e.id = v.endpoint_id
     WHERE ${ownerMatch} AND v.event IN (${event}, '${ALL_EVENTS}')
     ORDER BY e.created_at, e.id`;
  return {
    /**
     * The endpoint, the keys it is found under ($12) and its secret ($13), in one statement: all or none.
     * The owner is copied into each key's row.
     */
    insert: `
      WITH endpoint AS (
        INSERT INTO ${S}.endpoints (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
        RETURNING id, owner
      ), keys AS (
        INSERT INTO ${S}.endpoint_events (endpoint_id, event, owner)
        SELECT endpoint.id, k.event, endpoint.owner FROM endpoint, unnest($12::text[]) AS k (event)
      )
      INSERT INTO ${S}.endpoint_secrets (endpoint_id, secret) SELECT id, $13 FROM endpoint`,
    endpoint: `SELECT ${COLUMNS} FROM ${S}.endpoints WHERE id = $1`,
    /** The endpoint, locked until the transaction ends, with every secret it has (to refuse a reused one). */
    lockWithSecrets: `
      SELECT ${E_COLUMNS}, ARRAY(SELECT s.secret FROM ${S}.endpoint_secrets s WHERE s.endpoint_id = e.id) AS secrets
      FROM ${S}.endpoints e WHERE e.id = $1 FOR UPDATE`,
    lock: `SELECT ${COLUMNS} FROM ${S}.endpoints WHERE id = $1 FOR UPDATE`,
    /** Writes what may change of endpoint $1 (its owner and creation time never do): the values of replaceValues(). */
    replace: `
      UPDATE ${S}.endpoints SET url = $2, events = $3, description = $4, headers = $5, metadata = $6,
        enabled = $7, disabled_reason = $8, updated_at = $9
      WHERE id = $1`,
    /** Enables ($2 true) or disables with the reason $3 (kept only while disabled), at $4. */
    setEnabled: `
      UPDATE ${S}.endpoints SET enabled = $2, disabled_reason = CASE WHEN $2 THEN NULL ELSE $3::text END,
        updated_at = $4
      WHERE id = $1 RETURNING ${COLUMNS}`,
    deleteEvents: `DELETE FROM ${S}.endpoint_events WHERE endpoint_id = $1`,
    insertEvents: `
      INSERT INTO ${S}.endpoint_events (endpoint_id, event, owner)
      SELECT $1, k.event, $2 FROM unnest($3::text[]) AS k (event)`,
    /** Events and secrets go with it (ON DELETE CASCADE). */
    delete: `DELETE FROM ${S}.endpoints WHERE id = $1`,
    /**
     * A rotation of endpoint $1 at $3: the current secret is kept until $2 when $4 (a grace), or deleted;
     * the secrets whose grace is over by $3 are deleted; $5 becomes the current one. The sub-statements
     * touch disjoint rows (and none sees the others' changes).
     */
    rotate: `
      WITH kept AS (
        UPDATE ${S}.endpoint_secrets SET expires_at = $2 WHERE endpoint_id = $1 AND expires_at IS NULL AND $4
      ), dropped AS (
        DELETE FROM ${S}.endpoint_secrets
        WHERE endpoint_id = $1 AND (expires_at <= $3 OR (expires_at IS NULL AND NOT $4))
      ), added AS (
        INSERT INTO ${S}.endpoint_secrets (endpoint_id, secret) VALUES ($1, $5)
      )
      UPDATE ${S}.endpoints SET updated_at = $3 WHERE id = $1`,
    /** Endpoints of owner $1 subscribed to $2 or to all, with their secrets at $3. */
    subscribedOfOwner: subscribed('v.owner = $1', '$2', '$3'),
    /** Endpoints without an owner subscribed to $1 or to all, with their secrets at $2. */
    subscribedWithoutOwner: subscribed('v.owner IS NULL', '$1', '$2'),
    /** Endpoint $1 with its secrets at $2. */
    byIdForSigning: `SELECT ${E_COLUMNS}, ${signing('$2')} FROM ${S}.endpoints e WHERE e.id = $1`,
    pruneSecrets: `DELETE FROM ${S}.endpoint_secrets WHERE endpoint_id = ANY($1::text[]) AND expires_at <= $2`,
  };
}

export type EndpointStatements = ReturnType<typeof endpointStatements>;

/**
 * The SQL of a `list()` page on schema `S`, and its parameters: each filter adds its own condition, so
 * that the planner reads the right index in listing order and seeks to the cursor — `endpoints_owner_created`
 * when an owner (or none, `IS NULL`) is given, `endpoints_created` otherwise — rather than one statement
 * with optional filters that no index serves.
 */
export function listQuery(S: string, query: CheckedQuery): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const parameter = (value: unknown): string => `$${values.push(value)}`;
  if (query.owner === null) where.push('e.owner IS NULL');
  else if (query.owner !== undefined) where.push(`e.owner = ${parameter(query.owner)}`);
  if (query.enabled !== undefined) where.push(`e.enabled = ${parameter(query.enabled)}`);
  if (query.event !== undefined) {
    where.push(
      `EXISTS (SELECT 1 FROM ${S}.endpoint_events v WHERE v.endpoint_id = e.id ` +
        `AND v.event IN (${parameter(query.event)}, '${ALL_EVENTS}'))`,
    );
  }
  if (query.after !== undefined) {
    where.push(`(e.created_at, e.id) > (${parameter(query.after.createdAt)}::bigint, ${parameter(query.after.id)})`);
  }
  const text =
    `SELECT ${E_COLUMNS} FROM ${S}.endpoints e` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY e.created_at, e.id LIMIT ${parameter(query.limit + 1)}`;
  return { text, values };
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
    enabled: endpoint.enabled,
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
    enabled: row.enabled,
    ...(row.disabled_reason !== null && { disabledReason: row.disabled_reason }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
