import type { PoolClient } from 'pg';
import { EndpointStoreError } from '../../errors';

/** The version of the endpoint tables this code writes, kept in `<schema>.endpoint_schema_version`. */
export const ENDPOINT_SCHEMA_VERSION = 1;

/** The table that holds the endpoint tables' version: their own, as the schema may be a PostgresQueue's too. */
const VERSION_TABLE = 'endpoint_schema_version';

/**
 * Step N brings the endpoint tables from version N to N + 1; `{S}` stands for the quoted schema name.
 * Steps are only ever appended. Table and index names start with `endpoint`, so that they never meet a
 * PostgresQueue's in a shared schema.
 *
 * - `endpoints`: one row per endpoint; `events`, `headers` and `metadata` are JSON text (read whole, never
 *   searched; text, not jsonb, keeps the keys in the order they were given). `endpoints_owner_created`
 *   serves a listing by owner (and without one: `owner IS NULL` is an index condition too) in listing
 *   order, `endpoints_created` the listing of every owner.
 * - `endpoint_events`: one row per (endpoint, webhook name) it receives, `*` for an endpoint that receives
 *   all; the owner is copied in (it never changes), so that `endpointsFor(event, owner)`, on every send,
 *   is one range of `endpoint_events_owner_event`, then each endpoint by its key.
 * - `endpoint_secrets`: the signing secrets, in clear (they sign, so they cannot be hashed): `expires_at`
 *   is NULL for the current one, the end of its grace for a previous one; `seq` orders rotations.
 *
 * Events and secrets go with their endpoint (ON DELETE CASCADE). Ids, owners and events are
 * `COLLATE "C"`: an owner matches exactly, and the listing orders ids as JavaScript compares them (they
 * are ASCII), whatever the database's default collation.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE {S}.endpoints (
    id text COLLATE "C" PRIMARY KEY,
    owner text COLLATE "C",
    url text NOT NULL,
    events text,
    description text,
    headers text,
    metadata text,
    enabled boolean NOT NULL,
    disabled_reason text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE INDEX endpoints_owner_created ON {S}.endpoints (owner, created_at, id);
  CREATE INDEX endpoints_created ON {S}.endpoints (created_at, id);

  CREATE TABLE {S}.endpoint_events (
    endpoint_id text COLLATE "C" NOT NULL REFERENCES {S}.endpoints (id) ON DELETE CASCADE,
    event text COLLATE "C" NOT NULL,
    owner text COLLATE "C",
    PRIMARY KEY (endpoint_id, event)
  );
  CREATE INDEX endpoint_events_owner_event ON {S}.endpoint_events (owner, event, endpoint_id);

  CREATE TABLE {S}.endpoint_secrets (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id text COLLATE "C" NOT NULL REFERENCES {S}.endpoints (id) ON DELETE CASCADE,
    secret text NOT NULL,
    expires_at bigint
  );
  CREATE INDEX endpoint_secrets_endpoint ON {S}.endpoint_secrets (endpoint_id, seq);
  `,
];

/** The version recorded in the schema, or 0 when its version table does not exist (yet). */
async function readVersion(client: PoolClient, schema: string): Promise<number> {
  // A query of pg_class, not to_regclass(): it reads with the statement's snapshot, so after the advisory
  // lock it sees the table that the process which held the lock has just committed.
  const table = await client.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = $1 AND c.relname = '${VERSION_TABLE}') AS found`,
    [schema],
  );
  if (!table.rows[0]?.found) return 0;
  const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${schema}".${VERSION_TABLE}`);
  return rows[0]?.version ?? 0;
}

function refuseNewer(schema: string, version: number): EndpointStoreError {
  return new EndpointStoreError(
    'unsupported-schema',
    `PostgresEndpointStore: the endpoint tables in schema "${schema}" have version ${version}, written by a ` +
      `newer hookspec; this version understands up to ${ENDPOINT_SCHEMA_VERSION}. Upgrade hookspec in this ` +
      'process, or give it another schema.',
  );
}

/**
 * Brings the endpoint tables to ENDPOINT_SCHEMA_VERSION, refusing tables of a newer hookspec. Tables
 * already at this version are only read, so the app's database user needs no right to create anything
 * once they exist. Otherwise the steps run in one transaction under the advisory lock that PostgresQueue
 * migrates under (keyed on the schema's name): two stores starting at once do not both create the tables,
 * and a store and a queue starting at once on an empty database do not both create the schema.
 */
export async function migrateEndpointTables(client: PoolClient, schema: string): Promise<void> {
  const current = await readVersion(client, schema);
  if (current > ENDPOINT_SCHEMA_VERSION) throw refuseNewer(schema, current);
  if (current === ENDPOINT_SCHEMA_VERSION) return;
  const S = `"${schema}"`;
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('hookspec.migrate'), hashtext($1))", [schema]);
    const version = await readVersion(client, schema);
    if (version > ENDPOINT_SCHEMA_VERSION) throw refuseNewer(schema, version);
    if (version === 0) {
      // CREATE SCHEMA IF NOT EXISTS would still need the right to create one: a schema made beforehand
      // (by an administrator, or by a PostgresQueue) is used as it is.
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${S}`);
      await client.query(`CREATE TABLE ${S}.${VERSION_TABLE} (version integer NOT NULL)`);
      await client.query(`INSERT INTO ${S}.${VERSION_TABLE} VALUES (0)`);
    }
    for (let step = version; step < ENDPOINT_SCHEMA_VERSION; step += 1) {
      await client.query((MIGRATIONS[step] as string).replaceAll('{S}', S));
    }
    await client.query(`UPDATE ${S}.${VERSION_TABLE} SET version = $1`, [ENDPOINT_SCHEMA_VERSION]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
