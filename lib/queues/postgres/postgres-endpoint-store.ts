import type { CustomTypesConfig, Pool } from 'pg';
import type { WebhookEndpoint } from '../../client/endpoint';
import type { Page } from '../../delivery/message-history';
import { checkEnabled, checkEnableOptions, checkNow, checkRotateOptions } from '../../endpoints/endpoint-call-options';
import { checkEndpointInput, newEndpointId, patchedEndpoint } from '../../endpoints/endpoint-fields';
import { checkEndpointQuery, cursorAfter } from '../../endpoints/endpoint-query';
import { eventKeys, newStoredEndpoint, webhookEndpoint } from '../../endpoints/endpoint-records';
import { callOn, duplicateEndpoint, reusedSecret, unknownEndpoint } from '../../endpoints/endpoint-store-failures';
import type {
  EndpointInput,
  EndpointPatch,
  EndpointQuery,
  EndpointWithSecret,
  StoredEndpoint,
  WritableEndpointStore,
} from '../../endpoints/writable-endpoint-store';
import { EndpointStoreError, HookspecError } from '../../errors';
import { generateSecret } from '../../signing';
import { loadPg } from './load-pg';
import { inPoolTransaction, type RunInTransaction } from './pool-transaction';
import { migrateEndpointTables } from './postgres-endpoint-schema';
import {
  endpointRow,
  endpointStatements,
  listQuery,
  replaceValues,
  rowValues,
  storedEndpoint,
  type EndpointRow,
  type EndpointStatements,
  type SigningRow,
} from './postgres-endpoint-statements';
import {
  resolvePostgresEndpointStoreOptions,
  type PostgresEndpointStoreOptions,
  type ResolvedPostgresEndpointStoreOptions,
} from './postgres-endpoint-store-options';

const NAME = 'PostgresEndpointStore';

/** PostgreSQL's code for a unique violation, and the constraint that makes an endpoint id unique. */
const UNIQUE_VIOLATION = '23505';
const ENDPOINT_KEY = 'endpoints_pkey';

/**
 * Endpoints registered at run time, kept in the application's own PostgreSQL database (node-postgres 8,
 * an optional peer dependency), in a schema that may be a PostgresQueue's (by default both use
 * `hookspec`): the store's tables and their version are its own. Any number of processes may share it;
 * every change is committed before its call resolves, in one transaction, and a read for signing sees an
 * endpoint and its secrets as of one moment.
 *
 * The signing secrets are stored in clear, since they sign: give the database the care of any credential
 * store (who may read the schema, encrypted disks and backups).
 *
 * ```ts
 * const endpoints = new PostgresEndpointStore({ pool }); // the app's pg.Pool, or { connectionString }
 * const client = new WebhookClient({ webhooks, endpoints, queue: new PostgresQueue({ pool }) });
 * ```
 */
export class PostgresEndpointStore implements WritableEndpointStore {
  private readonly options: ResolvedPostgresEndpointStoreOptions;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  /** The schema, quoted for SQL. */
  private readonly S: string;
  private readonly sql: EndpointStatements;
  private readonly types: CustomTypesConfig;
  private migrated: Promise<void> | undefined;
  private closed = false;

  constructor(options: PostgresEndpointStoreOptions) {
    this.options = resolvePostgresEndpointStoreOptions(options);
    const pg = loadPg(NAME, (message, cause) => new EndpointStoreError('missing-dependency', message, { cause }));
    this.S = `"${this.options.schema}"`;
    this.sql = endpointStatements(this.S);
    this.ownsPool = this.options.pool === undefined;
    this.pool =
      this.options.pool ?? new pg.Pool({ connectionString: this.options.connectionString, max: this.options.poolSize });
    // An idle connection that breaks emits 'error' on the pool, which would end the process without a
    // listener; the next query reports what is wrong.
    if (this.ownsPool) this.pool.on('error', () => {});
    // bigint columns (times) as numbers: epoch milliseconds are exact in a double.
    const parseDefault = pg.types.getTypeParser.bind(pg.types);
    this.types = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === pg.types.builtins.INT8 ? Number : parseDefault(oid, format)) as CustomTypesConfig['getTypeParser'],
    };
  }

  /** The schema holding the store's tables. */
  get schema(): string {
    return this.options.schema;
  }

  async create(input: EndpointInput, options: { now: number }): Promise<EndpointWithSecret> {
    const where = `${NAME}.create()`;
    const now = checkNow(options, where);
    const checked = checkEndpointInput(input, where);
    const endpoint = newStoredEndpoint(checked, checked.id ?? newEndpointId(), now);
    try {
      await this.query(where, this.sql.insert, [
        ...rowValues(endpointRow(endpoint)),
        eventKeys(endpoint),
        checked.secret,
      ]);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; constraint?: string } }).cause;
      if (cause?.code === UNIQUE_VIOLATION && cause.constraint === ENDPOINT_KEY) {
        throw duplicateEndpoint(endpoint.id, where);
      }
      throw error;
    }
    return { endpoint, secret: checked.secret };
  }

  async get(id: string): Promise<StoredEndpoint | undefined> {
    const where = callOn(NAME, 'get', id);
    if (!findable(id)) {
      this.assertOpen(where);
      return undefined;
    }
    const [row] = await this.query<EndpointRow>(where, this.sql.endpoint, [id]);
    return row && storedEndpoint(row);
  }

  async list(query: EndpointQuery): Promise<Page<StoredEndpoint>> {
    const where = `${NAME}.list()`;
    const checked = checkEndpointQuery(query, where);
    if (typeof checked.owner === 'string' && !findable(checked.owner)) {
      this.assertOpen(where);
      return { items: [] };
    }
    const { text, values } = listQuery(this.S, checked);
    const items = (await this.query<EndpointRow>(where, text, values)).map(storedEndpoint);
    if (items.length <= checked.limit) return { items };
    items.length = checked.limit;
    return { items, nextCursor: cursorAfter(items[items.length - 1] as StoredEndpoint) };
  }

  async update(id: string, patch: EndpointPatch, options: { now: number }): Promise<StoredEndpoint> {
    const where = callOn(NAME, 'update', id);
    const now = checkNow(options, where);
    return this.transaction(where, async (run) => {
      const current = await this.locked(run, id, where);
      const next = patchedEndpoint(current, patch, now, where);
      await run(this.sql.replace, replaceValues(endpointRow(next)));
      if (JSON.stringify(eventKeys(current)) !== JSON.stringify(eventKeys(next))) {
        await run(this.sql.deleteEvents, [id]);
        await run(this.sql.insertEvents, [id, next.owner ?? null, eventKeys(next)]);
      }
      return next;
    });
  }

  async setEnabled(id: string, enabled: boolean, options: { now: number; reason?: string }): Promise<StoredEndpoint> {
    const where = callOn(NAME, 'setEnabled', id);
    const { now, reason } = checkEnableOptions(options, where);
    const on = checkEnabled(enabled, where);
    if (!findable(id)) {
      this.assertOpen(where);
      throw unknownEndpoint(id, where);
    }
    // One statement: the reason is kept only while disabled, as withEnabled() does in the other stores.
    const [row] = await this.query<EndpointRow>(where, this.sql.setEnabled, [id, on, reason ?? null, now]);
    if (!row) throw unknownEndpoint(id, where);
    return storedEndpoint(row);
  }

  async delete(id: string): Promise<boolean> {
    const where = callOn(NAME, 'delete', id);
    if (!findable(id)) {
      this.assertOpen(where);
      return false;
    }
    return (await this.count(where, this.sql.delete, [id])) > 0;
  }

  async rotateSecret(
    id: string,
    options: { now: number; graceMs: number; secret?: string },
  ): Promise<EndpointWithSecret> {
    const where = callOn(NAME, 'rotateSecret', id);
    const { now, graceMs, secret: given } = checkRotateOptions(options, where);
    const secret = given ?? generateSecret();
    const endpoint = await this.transaction(where, async (run) => {
      const [row] = findable(id) ? await run<SigningRow>(this.sql.lockWithSecrets, [id]) : [];
      if (!row) throw unknownEndpoint(id, where);
      if (row.secrets.includes(secret)) throw reusedSecret(where);
      await run(this.sql.rotate, [id, now + graceMs, now, graceMs > 0, secret]);
      return { ...storedEndpoint(row), updatedAt: now };
    });
    return { endpoint, secret };
  }

  async endpointsFor(event: string, owner?: string): Promise<readonly WebhookEndpoint[]> {
    const where = `${NAME}.endpointsFor()`;
    if (!findable(event) || (owner !== undefined && !findable(owner))) {
      this.assertOpen(where);
      return [];
    }
    const now = Date.now();
    const rows =
      owner === undefined
        ? await this.query<SigningRow>(where, this.sql.subscribedWithoutOwner, [event, now])
        : await this.query<SigningRow>(where, this.sql.subscribedOfOwner, [owner, event, now]);
    return this.signing(rows, now);
  }

  async endpointById(id: string): Promise<WebhookEndpoint | undefined> {
    const where = callOn(NAME, 'endpointById', id);
    if (!findable(id)) {
      this.assertOpen(where);
      return undefined;
    }
    const now = Date.now();
    const [endpoint] = await this.signing(await this.query<SigningRow>(where, this.sql.byIdForSigning, [id, now]), now);
    return endpoint;
  }

  /** Told by the client when the endpoint answered 410 Gone or kept failing; an unknown id is ignored. */
  async disable(id: string, reason: string): Promise<void> {
    await this.setEnabledIfKnown(id, false, reason);
  }

  /** Called by `client.enableEndpoint(id)`; an unknown id is ignored. */
  async enable(id: string): Promise<void> {
    await this.setEnabledIfKnown(id, true, undefined);
  }

  /**
   * Ends the pool if the store made it (from `connectionString`); a pool of the application stays open.
   * Later calls reject.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }

  private async setEnabledIfKnown(id: string, enabled: boolean, reason: string | undefined): Promise<void> {
    try {
      await this.setEnabled(id, enabled, { now: Date.now(), ...(reason !== undefined && { reason }) });
    } catch (error) {
      // Deleted while an attempt was in flight: there is nothing left to disable or enable.
      if (!(error instanceof EndpointStoreError && error.code === 'unknown-endpoint')) throw error;
    }
  }

  /** The endpoint, locked until the transaction ends; rejects `unknown-endpoint`. */
  private async locked(run: RunInTransaction, id: string, where: string): Promise<StoredEndpoint> {
    const [row] = findable(id) ? await run<EndpointRow>(this.sql.lock, [id]) : [];
    if (!row) throw unknownEndpoint(id, where);
    return storedEndpoint(row);
  }

  /**
   * The endpoints as the client signs with them. The secrets whose grace is over are deleted (a secret
   * should not stay at rest longer than it is used); if that fails, the next read does it.
   */
  private async signing(rows: readonly SigningRow[], now: number): Promise<WebhookEndpoint[]> {
    const stale = rows.filter((row) => row.stale).map((row) => row.id);
    if (stale.length > 0) {
      try {
        await this.pool.query(this.sql.pruneSecrets, [stale, now]);
      } catch {
        // Best effort: the expired secrets are never answered, whether or not they are deleted yet.
      }
    }
    return rows.map((row) => webhookEndpoint(storedEndpoint(row), row.secrets));
  }

  /** Runs one statement once the tables are ready, naming the operation and the schema when PostgreSQL fails. */
  private async query<R>(what: string, text: string, values: readonly unknown[]): Promise<R[]> {
    await this.ready(what);
    try {
      const result = await this.pool.query({ text, values: values as unknown[], types: this.types });
      return result.rows as R[];
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  /** Runs one statement, answering how many rows it changed. */
  private async count(what: string, text: string, values: readonly unknown[]): Promise<number> {
    await this.ready(what);
    try {
      return (await this.pool.query({ text, values: values as unknown[] })).rowCount ?? 0;
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  /** Runs `work` in one transaction (pool-transaction.ts), naming the call when it fails. */
  private async transaction<T>(what: string, work: (run: RunInTransaction) => Promise<T>): Promise<T> {
    await this.ready(what);
    const fail = (error: unknown): Error => this.failure(what, error);
    try {
      return await inPoolTransaction(this.pool, this.types, fail, work);
    } catch (error) {
      // What the work itself threw (its own EndpointStoreErrors pass as they are).
      throw fail(error);
    }
  }

  /** Brings the tables up to date once, before the first statement; a failure is retried by the next call. */
  private ready(what: string): Promise<void> {
    this.assertOpen(what);
    this.migrated ??= (async () => {
      const client = await this.pool.connect();
      try {
        await migrateEndpointTables(client, this.options.schema);
      } finally {
        client.release();
      }
    })().catch((error: unknown) => {
      this.migrated = undefined;
      throw this.failure(what, error);
    });
    return this.migrated;
  }

  private assertOpen(what: string): void {
    if (!this.closed) return;
    throw new EndpointStoreError(
      'store-failed',
      `${what}: the store on schema "${this.options.schema}" is closed; create a new ${NAME} to use it again.`,
    );
  }

  private failure(what: string, error: unknown): Error {
    if (error instanceof HookspecError) return error;
    return new EndpointStoreError(
      'store-failed',
      `${what} failed on schema "${this.options.schema}": ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Whether a key (an id, an owner, an event) can be looked up. PostgreSQL would read a number as the text it
 * spells (5 finds '5'), where a Map, as every store, does not; and its text cannot hold U+0000, so a key
 * with one fails there, where the other stores find nothing (no stored endpoint has one: the field checks
 * refuse it).
 */
function findable(value: unknown): value is string {
  return typeof value === 'string' && !value.includes('\0');
}

/** Runs one statement in the transaction, answering its rows. */
