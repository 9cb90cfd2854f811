/*
 * The `hookspec/postgres` entry: a durable queue with its message history, an endpoint store, and the
 * transactional outbox with its adapters, in the application's own PostgreSQL database (node-postgres, loaded only when used).
 */
export { PostgresQueue } from './postgres-queue';
export type { PostgresQueueOptions } from './postgres-queue-options';
export { postgresTransaction } from './postgres-transaction';
export type { PostgresTransaction, TransactionStatement } from './postgres-transaction';
export { PostgresEndpointStore } from './postgres-endpoint-store';
export type { PostgresEndpointStoreOptions } from './postgres-endpoint-store-options';
export { drizzleTx, knexTx, kyselyTx, prismaTx } from './transaction-adapters';
export type {
  DrizzleSql,
  DrizzleTransaction,
  KnexTransaction,
  KyselyCompiledQuery,
  KyselyTransaction,
  PrismaTransactionClient,
} from './transaction-adapters';
