import type { Redis } from 'ioredis';

/** Connections whose socket is corked until the end of this turn of the event loop. */
const corked = new WeakSet<object>();

/**
 * Holds a connection's writes until the end of this turn of the event loop, then sends them in one
 * socket write. The settlements of a turn (their one SETTLE and BullMQ's move of each after it:
 * settle-batch.ts) then cost one write system call instead of one each, on this side and on Redis's; the order of the commands is kept, and they wait no longer than the rest of
 * the turn.
 */
export function batchWrites(redis: Redis): void {
  const stream = redis.stream as Redis['stream'] | undefined;
  if (!stream || corked.has(stream)) return;
  corked.add(stream);
  stream.cork();
  setImmediate(() => {
    corked.delete(stream);
    stream.uncork();
  });
}
