import type Database from 'better-sqlite3';
import { VERSIONS_TABLE } from './sqlite-endpoint-schema';

/** The component name of the queue's tables in `hookspec_schema_versions`. */
const QUEUE_COMPONENT = 'queue';

/** Where the version of the queue's tables is kept in a file. */
export type QueueVersionPlace = 'user_version' | 'table';

/**
 * The version of the queue's tables, and where it is kept. A file the queue opens itself keeps it in
 * `PRAGMA user_version`, as it always has. The app's own database may use `user_version` for its own
 * migrations, so a queue given it keeps its version in a row of `hookspec_schema_versions` (beside the
 * endpoint store's) — unless the file already holds queue tables versioned in `user_version`, made by a
 * queue that opened it by path. A row, once there, is the version whoever opens the file.
 */
export function readQueueVersion(
  db: Database.Database,
  appDatabase: boolean,
): { version: number; where: QueueVersionPlace } {
  if (hasTable(db, 'hookspec_schema_versions')) {
    const row = db
      .prepare('SELECT version FROM hookspec_schema_versions WHERE component = ?')
      .pluck()
      .get(QUEUE_COMPONENT) as number | undefined;
    if (row !== undefined) return { version: row, where: 'table' };
  }
  if (!appDatabase || hasTable(db, 'hookspec_messages')) {
    return { version: db.pragma('user_version', { simple: true }) as number, where: 'user_version' };
  }
  return { version: 0, where: 'table' };
}

/** Records the version of the queue's tables where `readQueueVersion` found it. */
export function writeQueueVersion(db: Database.Database, where: QueueVersionPlace, version: number): void {
  if (where === 'user_version') {
    db.pragma(`user_version = ${version}`);
    return;
  }
  db.exec(VERSIONS_TABLE);
  db.prepare('INSERT OR REPLACE INTO hookspec_schema_versions (component, version) VALUES (?, ?)').run(
    QUEUE_COMPONENT,
    version,
  );
}

function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(name) === 1;
}
