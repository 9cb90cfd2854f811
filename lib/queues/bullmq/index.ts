/*
 * The `hookspec/bullmq` entry: deliveries in Redis through BullMQ, shared by workers on many machines.
 */
export { BullMqQueue } from './bullmq-queue';
export type { BullMqQueueOptions } from './bullmq-queue-options';
