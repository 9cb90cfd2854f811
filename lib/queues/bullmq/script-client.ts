import type { ChainableCommander, Redis } from 'ioredis';
import { DeliveryQueueError } from '../../errors';
import { safeMessage } from './redis-exec';
import { SCRIPTS, type LuaReply, type ScriptCommands } from './redis-scripts';

/** A connection with hookspec's scripts defined on it, as commands. */
export type ScriptClient = Redis & ScriptCommands<Promise<LuaReply>>;
/** A MULTI on such a connection. */
export type ScriptMulti = ChainableCommander & ScriptCommands<ChainableCommander>;

/** The connection once it is ready, with hookspec's scripts defined (once per connection). */
export async function withScripts(connecting: Promise<unknown>): Promise<ScriptClient> {
  try {
    const redis = (await connecting) as Redis;
    for (const [name, definition] of Object.entries(SCRIPTS)) {
      if (!(name in redis)) redis.defineCommand(name, definition);
    }
    return redis as ScriptClient;
  } catch (error) {
    throw new DeliveryQueueError('queue-failed', `BullMqQueue could not connect to Redis: ${safeMessage(error)}.`, {
      cause: error,
    });
  }
}
