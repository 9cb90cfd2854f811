// The steps that must be atomic beside BullMQ's own scripts. Each checks the job's BullMQ lock
// (`<jobKey>:lock`, whose value is the lock token) where ownership matters, so a worker whose lease
// expired and was taken over changes nothing. Keys not passed in KEYS are built from prefixes, as
// BullMQ's scripts do; with Redis Cluster, a hash tag in the prefix keeps them in one slot.
// The message hash's field names come from message-hash.ts, which describes the layout: a delivery's status is
// the field prefix `s:` (`D.status`), followed in Lua by the endpoint id (`'s:' .. e`).
import { DELIVERY_FIELD as D, LEASE_FIELDS_LUA, MESSAGE_FIELD as M } from './message-hash';

/**
 * Stores a new message, in enqueue's MULTI after its BullMQ jobs: refuses (0) a message id already
 * stored, else writes the hash, counts its deliveries as pending and, with none, marks it finished (1).
 * A refused message's jobs change nothing: BullMQ ignored a job id it held, and a job it added (or held)
 * gets bare data here (ids only), so lease() reads the stored delivery, and completes a job whose
 * delivery is not pending, instead of trusting the refused message's data. Fields are written 100 pairs
 * per HSET, as unpack() has a limit on how many values it returns.
 * KEYS: message, pending, finished. ARGV: delivery count, now, encoded message id, job key prefix, job
 * count, then job id, bare data, …, then field, value, …
 */
const STORE = `
local first = 6 + 2 * tonumber(ARGV[5])
if redis.call('EXISTS', KEYS[1]) == 1 then
  for i = 6, first - 1, 2 do
    local job = ARGV[4] .. ARGV[i]
    if redis.call('EXISTS', job) == 1 then redis.call('HSET', job, 'data', ARGV[i + 1]) end
  end
  return 0
end
for i = first, #ARGV, 200 do redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 199, #ARGV))) end
local count = tonumber(ARGV[1])
redis.call('INCRBY', KEYS[2], count)
if count == 0 then redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3]) end
return 1`;

/**
 * After BullMQ moved a job to active under our token: sets the lock to the lease's length, takes the job
 * out of the stalled candidates, and reads the message and the delivery with its attempt log.
 * KEYS: lock, stalled, message, attempts. ARGV: token, leaseMs, jobId, endpointId.
 */
const READ_LEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SREM', KEYS[2], ARGV[3])
local e = ARGV[4]
local fields = redis.call('HMGET', KEYS[3], ${LEASE_FIELDS_LUA})
return {fields, redis.call('LRANGE', KEYS[4], 0, -1)}`;

/**
 * Records a settlement if the lock is still ours: appends the attempt, sets the status and due time,
 * counts the delivery out of pending, and marks the message finished when it was its last. Then keeps
 * the lock alive long enough for BullMQ's move that follows, under ARGV[15]'s token (the move's, and the
 * next job's it fetches; the lease's own token to keep it). When this finishes a message, retention runs
 * in the same call. Returns 0 (not ours), 1, or 2 (message finished).
 * ARGV[9] '0' skips the lock check: only for a settlement whose BullMQ move already succeeded under the
 * lease's token, which proves the lease was ours (see settle()).
 * KEYS: lock, message, attempts, pending, finished. ARGV: token, endpointId, attempt JSON or '', status,
 * nextAttemptAt, now, encoded message id, graceMs, check lock ('1' or '0'), then retention's
 * retain count, cutoff, message key prefix, attempts key prefix, batch size, then the lock's next token.
 */
const SETTLE = `
if ARGV[9] == '1' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local e = ARGV[2]
if ARGV[3] ~= '' then redis.call('RPUSH', KEYS[3], ARGV[3]) end
local previous = redis.call('HGET', KEYS[2], '${D.status}' .. e)
redis.call('HSET', KEYS[2], '${D.status}' .. e, ARGV[4])
local result = 1
if ARGV[4] == 'pending' then
  redis.call('HSET', KEYS[2], '${D.nextAttemptAt}' .. e, ARGV[5])
else
  redis.call('HDEL', KEYS[2], '${D.nextAttemptAt}' .. e)
  if previous == 'pending' then
    redis.call('DECR', KEYS[4])
    if redis.call('HINCRBY', KEYS[2], '${M.pending}', -1) <= 0 then
      redis.call('ZADD', KEYS[5], ARGV[6], ARGV[7])
      result = 2
    end
  end
end
if ARGV[9] == '1' then
  local ttl = math.max(redis.call('PTTL', KEYS[1]), tonumber(ARGV[8]))
  redis.call('SET', KEYS[1], ARGV[15], 'PX', ttl)
end
if result == 2 then
  -- Retention: the oldest finished messages beyond the retained count, and those finished before the
  -- cutoff, are dropped with their attempt logs, at most a batch of each per settlement.
  local batch = tonumber(ARGV[14])
  local victims = {}
  local excess = redis.call('ZCARD', KEYS[5]) - tonumber(ARGV[10])
  if excess > 0 then victims = redis.call('ZRANGE', KEYS[5], 0, math.min(excess, batch) - 1) end
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[11], 'LIMIT', 0, batch)) do
    victims[#victims + 1] = m
  end
  for _, m in ipairs(victims) do
    if redis.call('ZREM', KEYS[5], m) == 1 then
      local key = ARGV[12] .. m
      local jobs = redis.call('HGET', key, '${M.jobs}')
      if jobs then
        for _, job in ipairs(cjson.decode(jobs)) do redis.call('DEL', ARGV[13] .. job) end
      end
      redis.call('DEL', key)
    end
  end
end
return result`;

/**
 * Makes the given deliveries pending again if they are exhausted or disabled, due at ARGV[1], with the
 * retry schedule starting after the attempts made so far. Returns how many were reset.
 * KEYS: message, pending, finished, then one attempts key per endpoint. ARGV: now, encoded message id, endpoint ids…
 */
const REDELIVER = `
local count = 0
for i = 3, #ARGV do
  local e = ARGV[i]
  local status = redis.call('HGET', KEYS[1], '${D.status}' .. e)
  if status == 'exhausted' or status == 'disabled' then
    redis.call('HSET', KEYS[1], '${D.status}' .. e, 'pending', '${D.nextAttemptAt}' .. e, ARGV[1],
      '${D.scheduleBase}' .. e, redis.call('LLEN', KEYS[i + 1]))
    count = count + 1
  end
end
if count > 0 then
  redis.call('HINCRBY', KEYS[1], '${M.pending}', count)
  redis.call('INCRBY', KEYS[2], count)
  redis.call('ZREM', KEYS[3], ARGV[2])
end
return count`;

/**
 * What could become due next, for nextDueAt: the next waiting jobs, the earliest delayed ones with their
 * scores, and the active ones with their locks' remaining time. At most ARGV[1] of each.
 * KEYS: pending, wait, delayed, active. ARGV: how many, job key prefix.
 */
const PEEK = `
local pending = tonumber(redis.call('GET', KEYS[1]) or '0')
if pending <= 0 then return {0} end
local k = tonumber(ARGV[1])
local active = redis.call('LRANGE', KEYS[4], -k, -1)
local ttls = {}
for i, id in ipairs(active) do ttls[i] = redis.call('PTTL', ARGV[2] .. id .. ':lock') end
local more = 0
if redis.call('LLEN', KEYS[2]) > k or redis.call('ZCARD', KEYS[3]) > k or #active >= k then more = 1 end
return {pending, more, redis.call('LRANGE', KEYS[2], -k, -1),
  redis.call('ZRANGE', KEYS[3], 0, k - 1, 'WITHSCORES'), active, ttls}`;

export const SCRIPTS = {
  hookspecStore: { numberOfKeys: 3, lua: STORE },
  hookspecReadLease: { numberOfKeys: 4, lua: READ_LEASE },
  hookspecSettle: { numberOfKeys: 5, lua: SETTLE },
  hookspecRedeliver: { lua: REDELIVER },
  hookspecPeek: { numberOfKeys: 4, lua: PEEK },
} as const;

type Arg = string | number;
/** Lua returns nested arrays of strings, numbers and nulls. */
export type LuaReply = string | number | null | LuaReply[];

/** The scripts as ioredis commands (defineCommand), on a client or inside a MULTI. */
export interface ScriptCommands<R> {
  hookspecStore(message: string, pending: string, finished: string, ...args: Arg[]): R;
  hookspecReadLease(lock: string, stalled: string, message: string, attempts: string, ...args: Arg[]): R;
  hookspecSettle(lock: string, message: string, attempts: string, pending: string, finished: string, ...args: Arg[]): R;
  /** No fixed key count: the first argument is the number of keys. */
  hookspecRedeliver(numberOfKeys: number, ...keysAndArgs: Arg[]): R;
  hookspecPeek(pending: string, wait: string, delayed: string, active: string, ...args: Arg[]): R;
}
