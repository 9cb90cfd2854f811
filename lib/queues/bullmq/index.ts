export { BullMqQueue } from './bullmq-queue';
export type { BullMqQueueOptions } from './bullmq-queue-options';
