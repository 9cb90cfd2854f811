import { DeliveryQueueError } from '../../errors';

/** The node-postgres module, as the queue uses it. */
export type PgModule = typeof import('pg');

const INSTALL = 'npm install pg@8';

/**
 * Loads pg (node-postgres) when a PostgresQueue (or a PostgresEndpointStore, `who`) is made, never when
 * hookspec is imported: it is an optional peer dependency, and an application on another queue must not
 * need it. `fail` makes the error of the caller's class; `load` is require() but for tests.
 */
export function loadPg(
  who = 'PostgresQueue',
  fail: (message: string, cause: unknown) => Error = (message, cause) =>
    new DeliveryQueueError('missing-dependency', message, { cause }),
  load: (name: string) => unknown = requirePeer,
): PgModule {
  try {
    return load('pg') as PgModule;
  } catch (error) {
    const notFound =
      (error as NodeJS.ErrnoException | undefined)?.code === 'MODULE_NOT_FOUND' &&
      String((error as Error).message).includes("'pg'");
    const why = notFound
      ? 'needs the package pg, which is not installed'
      : `needs the package pg, which is installed but failed to load (${(error as Error).message})`;
    throw fail(`${who} ${why}. Install it with \`${INSTALL}\`.`, error);
  }
}

function requirePeer(name: string): unknown {
  // require(), not import: loaded only when a PostgresQueue or PostgresEndpointStore is made, and optional.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(name);
}
