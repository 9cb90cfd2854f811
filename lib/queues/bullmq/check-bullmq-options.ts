import { DeliveryQueueError } from '../../errors';
import { checkOptionsObject, countOf, describe, durationMs, type OptionScope } from '../../options';
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

const KNOWN: readonly (keyof BullMqQueueOptions)[] = [
  'connection',
  'name',
  'prefix',
  'stalledIntervalMs',
  'pollIntervalMs',
  'retainFinished',
  'retainFinishedMs',
];

const scope: OptionScope = {
  where: 'new BullMqQueue(options)',
  fail: (code, message) => new DeliveryQueueError(code, message),
};

export function checkBullMqOptions(options: BullMqQueueOptions): BullMqSettings {
  checkOptionsObject(options, KNOWN, scope, "{ connection: { host: '127.0.0.1', port: 6379 } }");
  if (typeof options.connection !== 'object' || options.connection === null) {
    throw scope.fail(
      'invalid-option',
      `${scope.where} needs options.connection: ioredis options such as { host, port } or an ioredis instance; ` +
        `got ${describe(options.connection)}.`,
    );
  }
  return {
    name: nonEmpty(options.name, 'hookspec-deliveries', 'name', true),
    prefix: nonEmpty(options.prefix, 'hookspec', 'prefix', false),
    stalledIntervalMs: durationMs(options.stalledIntervalMs, 30_000, 'stalledIntervalMs', scope),
    pollIntervalMs: durationMs(options.pollIntervalMs, 5_000, 'pollIntervalMs', scope),
    retainFinished: countOf(options.retainFinished, 10_000, 'retainFinished', scope),
    retainFinishedMs: durationMs(options.retainFinishedMs, 7 * 24 * 3_600_000, 'retainFinishedMs', scope),
  };
}

/** A key part: BullMQ joins the prefix and the name with ':', so a name holding one would split the queue's keys. */
function nonEmpty(value: unknown, fallback: string, name: string, noColon: boolean): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '' || (noColon && value.includes(':'))) {
    throw scope.fail(
      'invalid-option',
      `${scope.where}: ${name} must be a non-empty string${noColon ? " without ':'" : ''}, e.g. '${fallback}'; ` +
        `got ${describe(value)}.`,
    );
  }
  return value;
}
