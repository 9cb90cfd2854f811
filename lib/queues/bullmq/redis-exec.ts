import type { ChainableCommander } from 'ioredis';
import { DeliveryQueueError } from '../../errors';

/** Runs a MULTI and returns its replies, or throws a DeliveryQueueError naming the step that failed. */
export async function execOrThrow(multi: ChainableCommander, what: string): Promise<unknown[]> {
  const results = await multi.exec();
  if (!results) throw new DeliveryQueueError('queue-failed', `BullMqQueue ${what}: the Redis transaction was aborted.`);
  return results.map(([error, value]) => {
    if (error) {
      throw new DeliveryQueueError('queue-failed', `BullMqQueue ${what} failed in Redis: ${safeMessage(error)}.`, {
        cause: error,
      });
    }
    return value;
  });
}

/** An error's message without anything that looks like a Redis URL's credentials. */
export function safeMessage(error: unknown): string {
  return String((error as Error)?.message ?? error).replace(/\/\/[^@/\s]*@/g, '//***@');
}
