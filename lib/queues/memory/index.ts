/*
 * The default queue: deliveries in this process's memory, per-endpoint heaps; lost if the process dies.
 */
export { MemoryQueue } from './memory-queue';
export type { MemoryQueueOptions } from './memory-queue';
