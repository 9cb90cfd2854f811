import type Database from 'better-sqlite3';
import { DeliveryQueueError } from '../../errors';

/** The constructor of better-sqlite3's `Database`. */
export type BetterSqlite3 = typeof Database;

const INSTALL = 'npm install better-sqlite3@12';

/**
 * Loads better-sqlite3 when a SqliteQueue (or a SqliteEndpointStore, `who`) is made, never when hookspec is
 * imported: it is an optional peer dependency, and an application on another queue must not need it (nor
 * pay for loading it). `fail` makes the error of the caller's class.
 */
export function loadBetterSqlite3(
  who = 'SqliteQueue',
  fail: (message: string, cause: unknown) => Error = (message, cause) =>
    new DeliveryQueueError('missing-dependency', message, { cause }),
): BetterSqlite3 {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('better-sqlite3') as BetterSqlite3;
  } catch (error) {
    const notFound =
      (error as NodeJS.ErrnoException | undefined)?.code === 'MODULE_NOT_FOUND' &&
      String((error as Error).message).includes("'better-sqlite3'");
    const why = notFound
      ? 'needs the package better-sqlite3, which is not installed'
      : `needs the package better-sqlite3, which is installed but failed to load (${(error as Error).message}); ` +
        'its native module may have been built for another Node version';
    throw fail(
      `${who} ${why}. Install it with \`${INSTALL}\`${notFound ? '' : ' (or `npm rebuild better-sqlite3`)'}.`,
      error,
    );
  }
}
