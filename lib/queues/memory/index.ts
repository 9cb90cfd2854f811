export { MemoryQueue } from './memory-queue';
export type { MemoryQueueOptions } from './memory-queue';
