import type { CustomTypesConfig, Pool } from 'pg';

/** Runs one statement in the transaction, answering its rows. */
export type RunInTransaction = <R = unknown>(text: string, values?: readonly unknown[]) => Promise<R[]>;

/**
 * Runs `work` in one transaction on one connection of the pool: committed when it resolves, rolled back
 * when it throws. PostgreSQL's failures (connecting, a statement, the commit) are named by `fail`; what
 * `work` throws itself passes as it is. A connection whose rollback fails may still hold the transaction:
 * it is destroyed, not given back to the pool.
 */
export async function inPoolTransaction<T>(
  pool: Pool,
  types: CustomTypesConfig,
  fail: (error: unknown) => Error,
  work: (run: RunInTransaction) => Promise<T>,
): Promise<T> {
  const client = await pool.connect().catch((error: unknown) => {
    throw fail(error);
  });
  const run: RunInTransaction = async <R>(text: string, values: readonly unknown[] = []) => {
    try {
      return (await client.query({ text, values: values as unknown[], types })).rows as R[];
    } catch (error) {
      throw fail(error);
    }
  };
  let broken = false;
  try {
    await run('BEGIN');
    const result = await work(run);
    await run('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
