import type { PoolClient } from 'pg';
import { DeliveryQueueError } from '../../errors';

/** The schema version this code writes, kept in `<schema>.schema_version`. */
export const SCHEMA_VERSION = 2;

/**
 * Step N brings a schema from version N to N + 1; `{S}` stands for the quoted schema name. Steps are only
 * ever appended: a schema written by an older hookspec is brought forward in one transaction when a
 * newer one starts.
 *
 * Ids, owners and events are `COLLATE "C"`: the history orders by id as JavaScript compares strings, and
 * an owner matches exactly, whatever the database's default collation. Deliveries carry copies of their
 * message's owner, event and createdAt, so that the history's endpoint and state filters are one index
 * range each: every query shape has an index, read in its order and seeking to the cursor — (created_at,
 * id), (owner, …), (owner, event, …), (event, …) on messages; (endpoint, created_at), (state, …), (owner,
 * state, …) on deliveries. An endpoint's listing by state walks the endpoint's own index and checks the
 * state: every lease and settle rewrites a delivery's entry in each index of the table, so an index must
 * earn its write. A delivery is *waiting* when it is pending and not leased: two partial indexes serve lease()
 * and nextDueAt() (one in global due order, one per endpoint for when an endpoint without capacity holds
 * the oldest work); leases sit in their own small index, so expired ones are found without scanning the
 * pending rows. `state` is the history's DeliveryState (`failing`: pending after a failed attempt).
 * `pending_count` counts a message's pending deliveries: the update that takes it to 0 numbers the
 * message in `finished_order`, and the row lock it takes is what lets two workers settling the last two
 * deliveries of one message agree on which of them finished it.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE SEQUENCE {S}.finished_order;

  CREATE TABLE {S}.messages (
    id text COLLATE "C" PRIMARY KEY,
    event text COLLATE "C" NOT NULL,
    body text NOT NULL,
    owner text COLLATE "C",
    created_at bigint NOT NULL,
    erased_at bigint,
    pending_count integer NOT NULL,
    finished_order bigint
  );
  CREATE INDEX messages_created ON {S}.messages (created_at, id);
  CREATE INDEX messages_owner_created ON {S}.messages (owner, created_at, id);
  CREATE INDEX messages_owner_event_created ON {S}.messages (owner, event, created_at, id);
  CREATE INDEX messages_event_created ON {S}.messages (event, created_at, id);
  CREATE INDEX messages_finished ON {S}.messages (finished_order) WHERE finished_order IS NOT NULL;
  CREATE INDEX messages_finished_created ON {S}.messages (created_at, id) WHERE finished_order IS NOT NULL;

  CREATE TABLE {S}.deliveries (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id text COLLATE "C" NOT NULL REFERENCES {S}.messages (id) ON DELETE CASCADE,
    endpoint_id text COLLATE "C" NOT NULL,
    url text NOT NULL,
    owner text COLLATE "C",
    event text COLLATE "C" NOT NULL,
    created_at bigint NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'delivered', 'exhausted', 'disabled', 'cancelled')),
    schedule_base integer NOT NULL DEFAULT 0,
    attempt_count integer NOT NULL DEFAULT 0,
    next_attempt_at bigint,
    lease_token text,
    leased_until bigint,
    state text GENERATED ALWAYS AS (
      CASE WHEN status = 'pending' AND attempt_count > schedule_base THEN 'failing' ELSE status END
    ) STORED
  );
  CREATE INDEX deliveries_message ON {S}.deliveries (message_id, seq);
  CREATE INDEX deliveries_waiting ON {S}.deliveries (next_attempt_at, seq) INCLUDE (endpoint_id)
    WHERE status = 'pending' AND leased_until IS NULL;
  CREATE INDEX deliveries_waiting_by_endpoint ON {S}.deliveries (endpoint_id, next_attempt_at, seq)
    WHERE status = 'pending' AND leased_until IS NULL;
  CREATE INDEX deliveries_leased ON {S}.deliveries (leased_until) INCLUDE (endpoint_id)
    WHERE leased_until IS NOT NULL;
  CREATE INDEX deliveries_endpoint_created ON {S}.deliveries (endpoint_id, created_at, message_id);
  CREATE INDEX deliveries_state_created ON {S}.deliveries (state, created_at, message_id);
  CREATE INDEX deliveries_owner_state_created ON {S}.deliveries (owner, state, created_at, message_id);

  CREATE TABLE {S}.attempts (
    delivery_seq bigint NOT NULL REFERENCES {S}.deliveries (seq) ON DELETE CASCADE,
    attempt_index integer NOT NULL,
    started_at bigint NOT NULL,
    succeeded boolean NOT NULL,
    record text NOT NULL,
    PRIMARY KEY (delivery_seq, attempt_index)
  );
  `,
  // 2: the transactional outbox. send({ tx }) writes one row here in the caller's transaction, with no
  // index but its key, so the business transaction does as little as it can; a worker moves it into
  // messages and deliveries after the commit (seq: oldest first). endpoint_ids: the endpoints named.
  `
  CREATE TABLE {S}.outbox (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text COLLATE "C" NOT NULL,
    event text COLLATE "C" NOT NULL,
    body text NOT NULL,
    owner text COLLATE "C",
    created_at bigint NOT NULL,
    endpoint_ids text[]
  );
  `,
];

/** The version recorded in the schema, or 0 when its version table does not exist (yet). */
async function readVersion(client: PoolClient, schema: string): Promise<number> {
  // A query of pg_class, not to_regclass(): it reads with the statement's snapshot, so after the advisory
  // lock it sees the table that the process which held the lock has just committed.
  const table = await client.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = $1 AND c.relname = 'schema_version') AS found`,
    [schema],
  );
  if (!table.rows[0]?.found) return 0;
  const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${schema}".schema_version`);
  return rows[0]?.version ?? 0;
}

function refuseNewer(schema: string, version: number): DeliveryQueueError {
  return new DeliveryQueueError(
    'unsupported-schema',
    `PostgresQueue: the schema "${schema}" has version ${version}, written by a newer hookspec; this ` +
      `version understands up to ${SCHEMA_VERSION}. Upgrade hookspec in this process, or give it another schema.`,
  );
}

/**
 * Brings the schema to SCHEMA_VERSION, refusing a schema from a newer hookspec rather than guessing at its
 * layout. A schema already at this version is only read, so the application's database user needs no
 * right to create anything once the schema exists. Otherwise the steps run in one transaction under an
 * advisory lock keyed on the schema's name, so that two processes starting at once do not both create
 * the tables (the second finds the version the first wrote).
 */
export async function migrate(client: PoolClient, schema: string): Promise<void> {
  const current = await readVersion(client, schema);
  if (current > SCHEMA_VERSION) throw refuseNewer(schema, current);
  if (current === SCHEMA_VERSION) return;
  const S = `"${schema}"`;
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('hookspec.migrate'), hashtext($1))", [schema]);
    const version = await readVersion(client, schema);
    if (version > SCHEMA_VERSION) throw refuseNewer(schema, version);
    if (version === 0) {
      // CREATE SCHEMA IF NOT EXISTS would still need the right to create one: a schema made beforehand
      // by an administrator is used as it is.
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${S}`);
      await client.query(`CREATE TABLE ${S}.schema_version (version integer NOT NULL)`);
      await client.query(`INSERT INTO ${S}.schema_version VALUES (0)`);
    }
    for (let step = version; step < SCHEMA_VERSION; step += 1) {
      await client.query((MIGRATIONS[step] as string).replaceAll('{S}', S));
    }
    await client.query(`UPDATE ${S}.schema_version SET version = $1`, [SCHEMA_VERSION]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
