/*
 * The `hookspec/postgres` entry: a durable queue, with its message history, and an endpoint store, in the
 * application's own PostgreSQL database (node-postgres, loaded only when used).
 */
export { PostgresQueue } from './postgres-queue';
export type { PostgresQueueOptions } from './postgres-queue-options';
export { PostgresEndpointStore } from './postgres-endpoint-store';
export type { PostgresEndpointStoreOptions } from './postgres-endpoint-store-options';
