import type { Job } from 'bullmq';

/** The data of the BullMQ job that schedules one delivery (message × endpoint). */
export interface DeliveryJobData {
  readonly messageId: string;
  readonly endpointId: string;
  /**
   * What a first lease needs, copied in at enqueue so that it reads nothing more: the message, the URL
   * and the first due time; only for a message with one pending delivery (with several, the body would be
   * kept once per delivery). Only a job's first start uses them (see BullMqQueue.lease()); redeliver's
   * jobs carry none, and the store script strips them from a refused duplicate's jobs.
   */
  readonly event?: string;
  readonly body?: string;
  readonly createdAt?: number;
  readonly owner?: string;
  readonly url?: string;
  readonly dueAt?: number;
}

export type DeliveryJob = Job<DeliveryJobData>;

/** A job this process moved to active under `token`, at `at` (ms): its lock has run since then. */
export interface HeldJob {
  readonly job: DeliveryJob;
  readonly token: string;
  readonly at: number;
}
