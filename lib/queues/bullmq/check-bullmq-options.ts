import { DeliveryQueueError } from '../../errors';
import type { BullMqQueueOptions } from './bullmq-queue-options';

/** The options with their defaults, checked once at construction so a mistake fails before any message is accepted. */
export interface BullMqSettings {
  readonly name: string;
  readonly prefix: string;
  readonly stalledIntervalMs: number;
  readonly pollIntervalMs: number;
  readonly retainFinished: number;
  readonly retainFinishedMs: number;
}

export function checkBullMqOptions(options: BullMqQueueOptions): BullMqSettings {
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.connection !== 'object' ||
    !options.connection
  ) {
    throw new DeliveryQueueError(
      'invalid-options',
      'new BullMqQueue(options) needs options.connection: ioredis options such as { host, port } or an ioredis instance.',
    );
  }
  return {
    name: nonEmpty(options.name, 'hookspec-deliveries', 'name', true),
    prefix: nonEmpty(options.prefix, 'hookspec', 'prefix', false),
    stalledIntervalMs: positive(options.stalledIntervalMs, 30_000, 'stalledIntervalMs'),
    pollIntervalMs: positive(options.pollIntervalMs, 5_000, 'pollIntervalMs'),
    retainFinished: countOf(options.retainFinished, 10_000, 'retainFinished'),
    retainFinishedMs: positive(options.retainFinishedMs, 7 * 24 * 3_600_000, 'retainFinishedMs'),
  };
}

function nonEmpty(value: string | undefined, fallback: string, name: string, noColon: boolean): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '' || (noColon && value.includes(':'))) {
    throw new DeliveryQueueError(
      'invalid-options',
      `BullMqQueue option ${name} must be a non-empty string${noColon ? " without ':'" : ''}, e.g. '${fallback}'.`,
    );
  }
  return value;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) {
    throw new DeliveryQueueError(
      'invalid-options',
      `BullMqQueue option ${name} must be a positive number of milliseconds, got ${value}.`,
    );
  }
  return value;
}

function countOf(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new DeliveryQueueError(
      'invalid-options',
      `BullMqQueue option ${name} must be a whole number ≥ 0, got ${value}.`,
    );
  }
  return value;
}
