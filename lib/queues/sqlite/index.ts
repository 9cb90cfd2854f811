export { SqliteQueue } from './sqlite-queue';
export type { SqliteQueueOptions, SqliteSynchronous } from './sqlite-queue-options';
