// The steps that must be atomic beside BullMQ's own scripts. Each checks the job's BullMQ lock
// (`<jobKey>:lock`, whose value is the lock token) where ownership matters, so a worker whose lease
// expired and was taken over changes nothing. Keys not passed in KEYS are built from prefixes, as
// BullMQ's scripts do; with Redis Cluster, a hash tag in the prefix keeps them in one slot.

/** Claims a message id: refuses a second enqueue of the same message. The claim expires unless enqueue completes. */
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'createdAt', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
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
local fields = redis.call('HMGET', KEYS[3], 'event', 'body', 'createdAt', 'u:' .. e, 's:' .. e, 'b:' .. e, 'n:' .. e)
return {fields, redis.call('LRANGE', KEYS[4], 0, -1)}`;

/**
 * Records a settlement if the lock is still ours: appends the attempt, sets the status and due time,
 * counts the delivery out of pending, and marks the message finished when it was its last. Then keeps
 * the lock alive long enough for BullMQ's move that follows. Returns 0 (not ours), 1, or 2 (message finished).
 * KEYS: lock, message, attempts, pending, finished. ARGV: token, endpointId, attempt JSON or '', status,
 * nextAttemptAt, now, encoded message id, graceMs.
 */
const SETTLE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local e = ARGV[2]
if ARGV[3] ~= '' then redis.call('RPUSH', KEYS[3], ARGV[3]) end
local previous = redis.call('HGET', KEYS[2], 's:' .. e)
redis.call('HSET', KEYS[2], 's:' .. e, ARGV[4])
local result = 1
if ARGV[4] == 'pending' then
  redis.call('HSET', KEYS[2], 'n:' .. e, ARGV[5])
else
  redis.call('HDEL', KEYS[2], 'n:' .. e)
  if previous == 'pending' then
    redis.call('DECR', KEYS[4])
    if redis.call('HINCRBY', KEYS[2], 'pending', -1) <= 0 then
      redis.call('ZADD', KEYS[5], ARGV[6], ARGV[7])
      result = 2
    end
  end
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[8]) then redis.call('PEXPIRE', KEYS[1], ARGV[8]) end
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
  local status = redis.call('HGET', KEYS[1], 's:' .. e)
  if status == 'exhausted' or status == 'disabled' then
    redis.call('HSET', KEYS[1], 's:' .. e, 'pending', 'n:' .. e, ARGV[1], 'b:' .. e, redis.call('LLEN', KEYS[i + 1]))
    count = count + 1
  end
end
if count > 0 then
  redis.call('HINCRBY', KEYS[1], 'pending', count)
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

/**
 * Drops finished messages beyond the retained count or older than the cutoff, with their attempt logs.
 * KEYS: finished. ARGV: retain count, cutoff (epoch ms), message key prefix, attempts key prefix, batch size.
 */
const TRIM = `
local batch = tonumber(ARGV[5])
local victims = {}
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[1])
if excess > 0 then victims = redis.call('ZRANGE', KEYS[1], 0, math.min(excess, batch) - 1) end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[2], 'LIMIT', 0, batch)) do
  victims[#victims + 1] = m
end
local dropped = 0
for _, m in ipairs(victims) do
  if redis.call('ZREM', KEYS[1], m) == 1 then
    local key = ARGV[3] .. m
    local jobs = redis.call('HGET', key, 'jobs')
    if jobs then
      for _, job in ipairs(cjson.decode(jobs)) do redis.call('DEL', ARGV[4] .. job) end
    end
    redis.call('DEL', key)
    dropped = dropped + 1
  end
end
return dropped`;

export const SCRIPTS = {
  hookspecClaim: { numberOfKeys: 1, lua: CLAIM },
  hookspecReadLease: { numberOfKeys: 4, lua: READ_LEASE },
  hookspecSettle: { numberOfKeys: 5, lua: SETTLE },
  hookspecRedeliver: { lua: REDELIVER },
  hookspecPeek: { numberOfKeys: 4, lua: PEEK },
  hookspecTrim: { numberOfKeys: 1, lua: TRIM },
} as const;

type Arg = string | number;
/** Lua returns nested arrays of strings, numbers and nulls. */
export type LuaReply = string | number | null | LuaReply[];

/** The scripts as ioredis commands (defineCommand), on a client or inside a MULTI. */
export interface ScriptCommands<R> {
  hookspecClaim(key: string, createdAt: Arg, ttlMs: Arg): R;
  hookspecReadLease(lock: string, stalled: string, message: string, attempts: string, ...args: Arg[]): R;
  hookspecSettle(lock: string, message: string, attempts: string, pending: string, finished: string, ...args: Arg[]): R;
  /** No fixed key count: the first argument is the number of keys. */
  hookspecRedeliver(numberOfKeys: number, ...keysAndArgs: Arg[]): R;
  hookspecPeek(pending: string, wait: string, delayed: string, active: string, ...args: Arg[]): R;
  hookspecTrim(finished: string, ...args: Arg[]): R;
}
