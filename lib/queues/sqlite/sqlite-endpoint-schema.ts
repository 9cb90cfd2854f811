import type Database from 'better-sqlite3';
import { EndpointStoreError } from '../../errors';

/** The component name under which the endpoint tables' version is kept in `hookspec_schema_versions`. */
export const ENDPOINTS_COMPONENT = 'endpoints';

/** The version of the endpoint tables this code writes. */
export const ENDPOINTS_SCHEMA_VERSION = 1;

/**
 * `PRAGMA user_version` belongs to the queue's tables (a SqliteQueue may share the file), so each other
 * component keeps its own version in a row of this table.
 */
export const VERSIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS hookspec_schema_versions (
    component TEXT PRIMARY KEY,
    version INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/**
 * Step N brings the endpoint tables from version N to N + 1; steps are only ever appended.
 *
 * - `hookspec_endpoints`: one row per endpoint; `events`, `headers` and `metadata` are JSON (read whole,
 *   never searched). `by_owner` serves list-by-owner in listing order, `in_order` the list of every owner.
 * - `hookspec_endpoint_events`: one row per (endpoint, webhook name) it receives, `*` for an endpoint that
 *   receives all; the owner is copied in (it never changes), so that `endpointsFor(event, owner)` is one
 *   search of `by_owner_event`, on every send.
 * - `hookspec_endpoint_secrets`: the signing secrets, in clear (they sign, so they cannot be hashed):
 *   `expires_at` is NULL for the current one, the end of its grace for a previous one; `seq` orders
 *   rotations.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE hookspec_endpoints (
    id TEXT PRIMARY KEY,
    owner TEXT,
    url TEXT NOT NULL,
    events TEXT,
    description TEXT,
    headers TEXT,
    metadata TEXT,
    enabled INTEGER NOT NULL,
    disabled_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX hookspec_endpoints_by_owner ON hookspec_endpoints (owner, created_at, id);
  CREATE INDEX hookspec_endpoints_in_order ON hookspec_endpoints (created_at, id);

  CREATE TABLE hookspec_endpoint_events (
    endpoint_id TEXT NOT NULL,
    event TEXT NOT NULL,
    owner TEXT,
    PRIMARY KEY (endpoint_id, event)
  ) WITHOUT ROWID;
  CREATE INDEX hookspec_endpoint_events_by_owner_event ON hookspec_endpoint_events (owner, event, endpoint_id);

  CREATE TABLE hookspec_endpoint_secrets (
    seq INTEGER PRIMARY KEY,
    endpoint_id TEXT NOT NULL,
    secret TEXT NOT NULL,
    expires_at INTEGER
  );
  CREATE INDEX hookspec_endpoint_secrets_by_endpoint ON hookspec_endpoint_secrets (endpoint_id, seq);
  `,
];

/**
 * Brings the endpoint tables to ENDPOINTS_SCHEMA_VERSION in one immediate transaction (two processes
 * opening a new file at once must not both create them), refusing tables of a newer hookspec.
 */
export function migrateEndpointTables(db: Database.Database, file: string): void {
  const migrate = db.transaction(() => {
    db.exec(VERSIONS_TABLE);
    const row = db
      .prepare('SELECT version FROM hookspec_schema_versions WHERE component = ?')
      .pluck()
      .get(ENDPOINTS_COMPONENT) as number | undefined;
    const version = row ?? 0;
    if (version > ENDPOINTS_SCHEMA_VERSION) {
      throw new EndpointStoreError(
        'unsupported-schema',
        `SqliteEndpointStore: ${file} has endpoint tables of schema version ${version}, written by a newer ` +
          `hookspec; this version understands up to ${ENDPOINTS_SCHEMA_VERSION}. Upgrade hookspec in this ` +
          'process, or give it another file.',
      );
    }
    for (let step = version; step < ENDPOINTS_SCHEMA_VERSION; step += 1) db.exec(MIGRATIONS[step] as string);
    if (version !== ENDPOINTS_SCHEMA_VERSION) {
      db.prepare('INSERT OR REPLACE INTO hookspec_schema_versions (component, version) VALUES (?, ?)').run(
        ENDPOINTS_COMPONENT,
        ENDPOINTS_SCHEMA_VERSION,
      );
    }
  });
  migrate.immediate();
}
