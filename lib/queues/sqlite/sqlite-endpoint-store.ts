import type Database from 'better-sqlite3';
import type { WebhookEndpoint } from '../../client/endpoint';
import type { Page } from '../../delivery/message-history';
import { checkEnabled, checkEnableOptions, checkNow, checkRotateOptions } from '../../endpoints/endpoint-call-options';
import { checkEndpointInput, newEndpointId, patchedEndpoint } from '../../endpoints/endpoint-fields';
import { checkEndpointQuery, cursorAfter } from '../../endpoints/endpoint-query';
import { eventKeys, newStoredEndpoint, webhookEndpoint, withEnabled } from '../../endpoints/endpoint-records';
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
import { AppTransactionWatch } from './app-transaction-watch';
import { loadBetterSqlite3 } from './load-better-sqlite3';
import { migrateEndpointTables } from './sqlite-endpoint-schema';
import {
  endpointRow,
  listQuery,
  prepareEndpointStatements,
  storedEndpoint,
  type EndpointRow,
  type EndpointStatements,
} from './sqlite-endpoint-statements';
import { resolveSqliteEndpointStoreOptions, type SqliteEndpointStoreOptions } from './sqlite-endpoint-store-options';
import { BUSY_TIMEOUT_MS } from './sqlite-schema';

const NAME = 'SqliteEndpointStore';

/**
 * Endpoints registered at run time, kept in a SQLite file (better-sqlite3 12, an optional peer
 * dependency): its own file, or the file of a SqliteQueue, or a connection the app opened. Every change
 * is committed before its call resolves, in one transaction when several rows change.
 *
 * The signing secrets are stored in clear, since they sign: protect the file as any credential store
 * (file permissions, encrypted disk, backups kept as carefully as the database itself).
 *
 * On the app's connection (`database`), the store's writes wait for a transaction the app holds open on it
 * to end, as a SqliteQueue's do: a write joined to it would be undone by its rollback after the store had
 * reported it done. Its reads answer at once, even then, and see the app's uncommitted changes, as every
 * query on that connection does.
 *
 * ```ts
 * const endpoints = new SqliteEndpointStore({ path: './webhooks.db' });
 * const client = new WebhookClient({ webhooks, endpoints, queue: new SqliteQueue({ path: './webhooks.db' }) });
 * ```
 */
export class SqliteEndpointStore implements WritableEndpointStore {
  private readonly db: Database.Database;
  /** The file, for messages. */
  private readonly file: string;
  /** Whether the store opened the connection, and so closes it. */
  private readonly owned: boolean;
  private readonly statements: EndpointStatements;
  private readonly listStatements = new Map<string, Database.Statement<unknown[], EndpointRow>>();
  private readonly readEndpoints: (read: () => WebhookEndpoint[]) => WebhookEndpoint[];
  /** Set on the app's connection: keeps the store's writes out of the app's transactions. */
  private readonly watch: AppTransactionWatch | undefined;
  private closed = false;

  constructor(options: SqliteEndpointStoreOptions) {
    const resolved = resolveSqliteEndpointStoreOptions(options);
    // The app's connection is a better-sqlite3 Database; the options type it structurally (see SqliteDatabase).
    let db = resolved.database as Database.Database | undefined;
    this.owned = db === undefined;
    this.file = resolved.path ?? (db as Database.Database).name;
    try {
      if (!db) {
        const Sqlite = loadBetterSqlite3(
          NAME,
          (message, cause) => new EndpointStoreError('missing-dependency', message, { cause }),
        );
        db = new Sqlite(this.file, { timeout: BUSY_TIMEOUT_MS });
        openInWalMode(db, this.file);
      }
      migrateEndpointTables(db, this.file);
      this.statements = prepareEndpointStatements(db);
    } catch (error) {
      if (this.owned) db?.close();
      if (error instanceof HookspecError) throw error;
      throw new EndpointStoreError(
        'store-failed',
        `${NAME} cannot open ${this.file}: ${(error as Error).message}. Check that the directory exists and is ` +
          'writable, and that the file is a SQLite database (or does not exist yet).',
        { cause: error },
      );
    }
    this.db = db;
    this.watch = this.owned ? undefined : AppTransactionWatch.on(db);
    // One read transaction, so that the endpoints and their secrets are seen as of one moment.
    this.readEndpoints = db.transaction((read: () => WebhookEndpoint[]) => read()).deferred;
  }

  async create(input: EndpointInput, options: { now: number }): Promise<EndpointWithSecret> {
    const where = `${NAME}.create()`;
    const now = checkNow(options, where);
    const checked = checkEndpointInput(input, where);
    const endpoint = newStoredEndpoint(checked, checked.id ?? newEndpointId(), now);
    await this.write(where, () => {
      const s = this.statements;
      try {
        s.insert.run(endpointRow(endpoint));
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
          throw duplicateEndpoint(endpoint.id, where);
        throw error;
      }
      this.subscribe(endpoint);
      s.insertSecret.run(endpoint.id, checked.secret, null);
    });
    return { endpoint, secret: checked.secret };
  }

  async get(id: string): Promise<StoredEndpoint | undefined> {
    return this.read(callOn(NAME, 'get', id), () => this.find(id));
  }

  async list(query: EndpointQuery): Promise<Page<StoredEndpoint>> {
    const where = `${NAME}.list()`;
    const checked = checkEndpointQuery(query, where);
    const { sql, parameters } = listQuery(checked);
    return this.read(where, () => {
      let statement = this.listStatements.get(sql);
      if (!statement) {
        statement = this.db.prepare<unknown[], EndpointRow>(sql);
        this.listStatements.set(sql, statement);
      }
      const items = statement.all(...parameters).map(storedEndpoint);
      if (items.length <= checked.limit) return { items };
      items.length = checked.limit;
      return { items, nextCursor: cursorAfter(items[items.length - 1] as StoredEndpoint) };
    });
  }

  async update(id: string, patch: EndpointPatch, options: { now: number }): Promise<StoredEndpoint> {
    const where = callOn(NAME, 'update', id);
    const now = checkNow(options, where);
    return this.write(where, () => {
      const current = this.existing(id, where);
      const next = patchedEndpoint(current, patch, now, where);
      this.statements.replace.run(endpointRow(next));
      if (JSON.stringify(eventKeys(current)) !== JSON.stringify(eventKeys(next))) {
        this.statements.deleteEvents.run(id);
        this.subscribe(next);
      }
      return next;
    });
  }

  async setEnabled(id: string, enabled: boolean, options: { now: number; reason?: string }): Promise<StoredEndpoint> {
    const where = callOn(NAME, 'setEnabled', id);
    const { now, reason } = checkEnableOptions(options, where);
    const on = checkEnabled(enabled, where);
    return this.write(where, () => {
      const next = withEnabled(this.existing(id, where), on, now, reason);
      this.statements.replace.run(endpointRow(next));
      return next;
    });
  }

  async delete(id: string): Promise<boolean> {
    if (typeof id !== 'string') return false;
    return this.write(callOn(NAME, 'delete', id), () => {
      const s = this.statements;
      s.deleteEvents.run(id);
      s.deleteSecrets.run(id);
      return s.deleteEndpoint.run(id).changes > 0;
    });
  }

  async rotateSecret(
    id: string,
    options: { now: number; graceMs: number; secret?: string },
  ): Promise<EndpointWithSecret> {
    const where = callOn(NAME, 'rotateSecret', id);
    const { now, graceMs, secret: given } = checkRotateOptions(options, where);
    const secret = given ?? generateSecret();
    const endpoint = await this.write(where, () => {
      const s = this.statements;
      const current = this.existing(id, where);
      if (s.secrets.all(id).some((row) => row.secret === secret)) throw reusedSecret(where);
      if (graceMs > 0) s.expireCurrent.run(now + graceMs, id);
      else s.dropCurrent.run(id);
      s.pruneSecrets.run(id, now);
      s.insertSecret.run(id, secret, null);
      const next = { ...current, updatedAt: now };
      s.replace.run(endpointRow(next));
      return next;
    });
    return { endpoint, secret };
  }

  async endpointsFor(event: string, owner?: string): Promise<readonly WebhookEndpoint[]> {
    const where = `${NAME}.endpointsFor()`;
    if (typeof event !== 'string' || (owner !== undefined && typeof owner !== 'string')) return [];
    return this.read(where, () => {
      const prune = this.mayPrune();
      return this.readEndpoints(() =>
        this.statements.subscribed.all(owner ?? null, event).map((row) => this.withSecrets(storedEndpoint(row), prune)),
      );
    });
  }

  async endpointById(id: string): Promise<WebhookEndpoint | undefined> {
    return this.read(callOn(NAME, 'endpointById', id), () => {
      const prune = this.mayPrune();
      const [endpoint] = this.readEndpoints(() => {
        const found = this.find(id);
        return found ? [this.withSecrets(found, prune)] : [];
      });
      return endpoint;
    });
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
   * Closes the file if the store opened it; a connection given as `database` stays open, and writes still
   * waiting for the app's transaction commit when it ends. Later calls reject.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.owned) this.db.close();
  }

  private async setEnabledIfKnown(id: string, enabled: boolean, reason: string | undefined): Promise<void> {
    try {
      await this.setEnabled(id, enabled, { now: Date.now(), ...(reason !== undefined && { reason }) });
    } catch (error) {
      // Deleted while an attempt was in flight: there is nothing left to disable or enable.
      if (!(error instanceof EndpointStoreError && error.code === 'unknown-endpoint')) throw error;
    }
  }

  private find(id: string): StoredEndpoint | undefined {
    // SQLite would compare a number with the text ids as text (5 finds '5'); a Map, as every store, does not.
    if (typeof id !== 'string') return undefined;
    const row = this.statements.endpoint.get(id);
    return row && storedEndpoint(row);
  }

  private existing(id: string, where: string): StoredEndpoint {
    const endpoint = this.find(id);
    if (!endpoint) throw unknownEndpoint(id, where);
    return endpoint;
  }

  private subscribe(endpoint: StoredEndpoint): void {
    for (const key of eventKeys(endpoint)) this.statements.insertEvent.run(endpoint.id, key, endpoint.owner ?? null);
  }

  /**
   * Whether a read may delete expired secrets: not inside the app's transaction, where the delete would
   * join it (and its rollback); a later read does it.
   */
  private mayPrune(): boolean {
    return !this.watch?.inTransaction;
  }

  /**
   * The endpoint with every secret that still signs now. The secrets whose grace is over are deleted when
   * `prune` allows (a secret should not stay at rest longer than it is used); if the file is busy, the next
   * read does it.
   */
  private withSecrets(endpoint: StoredEndpoint, prune: boolean): WebhookEndpoint {
    const now = Date.now();
    const rows = this.statements.secrets.all(endpoint.id);
    const live = rows.filter((row) => row.expires_at === null || row.expires_at > now);
    if (prune && live.length !== rows.length) {
      try {
        this.statements.pruneSecrets.run(endpoint.id, now);
      } catch {
        // Best effort: the expired secrets are never answered, whether or not they are deleted yet.
      }
    }
    return webhookEndpoint(
      endpoint,
      live.map((row) => row.secret),
    );
  }

  /** Runs a read now, naming the file and the operation when SQLite fails. */
  private read<T>(what: string, operation: () => T): T {
    this.assertOpen(what);
    try {
      return operation();
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  /**
   * Runs a write in one immediate transaction: it waits for another process's write rather than failing.
   * On the app's connection it first waits for the app's transaction to end, and runs in the same
   * synchronous turn in which the connection is seen free, so that nothing can begin one in between.
   */
  private async write<T>(what: string, operation: () => T): Promise<T> {
    this.assertOpen(what);
    const watch = this.watch;
    if (!watch) return this.writeNow(what, operation);
    return new Promise<T>((resolve, reject) => {
      watch.whenFree(
        () => {
          try {
            resolve(this.writeNow(what, operation));
          } catch (error) {
            reject(error);
          }
        },
        (busyTimeoutMs) => reject(this.transactionOpen(what, busyTimeoutMs)),
      );
    });
  }

  private writeNow<T>(what: string, operation: () => T): T {
    try {
      return this.db.transaction(operation).immediate();
    } catch (error) {
      throw this.failure(what, error);
    }
  }

  private assertOpen(what: string): void {
    if (!this.closed) return;
    throw new EndpointStoreError(
      'store-failed',
      `${what}: the store on ${this.file} is closed; create a new ${NAME} to use the file again.`,
    );
  }

  private transactionOpen(what: string, busyTimeoutMs: number): EndpointStoreError {
    return new EndpointStoreError(
      'transaction-open',
      `${what}: a transaction of your code stayed open on the connection the store shares (${this.file}) for ` +
        `longer than its busy timeout (${busyTimeoutMs} ms); the store's writes wait for it to end, so that its ` +
        "rollback cannot undo them. Nothing was written. Await the store's writes after COMMIT or ROLLBACK, not " +
        'inside your transaction, and keep the transactions that span an await short.',
    );
  }

  private failure(what: string, error: unknown): Error {
    if (error instanceof HookspecError) return error;
    return new EndpointStoreError('store-failed', `${what} failed on ${this.file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** WAL lets the queue's workers and the store's readers work while one writes; FULL survives a power loss. */
function openInWalMode(db: Database.Database, file: string): void {
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    throw new EndpointStoreError(
      'store-failed',
      `${NAME} could not switch ${file} to WAL journal mode (it stayed '${String(mode)}'); use a file on a ` +
        'local disk (WAL needs shared memory, which network file systems lack).',
    );
  }
  db.pragma('synchronous = FULL');
}
