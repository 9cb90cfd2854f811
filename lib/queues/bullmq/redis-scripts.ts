// The steps that must be atomic beside BullMQ's own scripts. Each checks the job's BullMQ lock
// (`<jobKey>:lock`, whose value is the lock token) where ownership matters, so a worker whose lease
// expired and was taken over changes nothing. Keys not passed in KEYS are built from prefixes, as
// BullMQ's scripts do; with Redis Cluster, a hash tag in the prefix keeps them in one slot.
// The message hash's field names come from message-hash.ts, which describes the layout: a delivery's status is
// the field prefix `s:` (`D.status`), followed in Lua by the endpoint id (`'s:' .. e`).
import { HISTORY_LUA } from './history-lua';
import { HISTORY_SCRIPTS, type HistoryScriptCommands } from './history-scripts';
import { DELIVERY_FIELD as D, LEASE_FIELDS_LUA, MESSAGE_FIELD as M } from './message-hash';

/** How many arguments SETTLE takes per settlement. */
export const SETTLE_FIELDS = 11;

/**
 * Stores a new message, in enqueue's MULTI after its BullMQ jobs: refuses (0) a message id already
 * stored, else writes the hash, files it in the history indexes, counts its pending deliveries and, with
 * none (no delivery, or all recorded disabled), marks it finished (1).
 * A refused message's jobs change nothing: BullMQ ignored a job id it held, and a job it added (or held)
 * gets bare data here (ids only), so lease() reads the stored delivery, and completes a job whose
 * delivery is not pending, instead of trusting the refused message's data. Fields are written 100 pairs
 * per HSET, as unpack() has a limit on how many values it returns. What the indexes need comes as
 * arguments, so the hash just written is not read back.
 * KEYS: message, pending, finished. ARGV: pending delivery count, now, encoded message id, job key
 * prefix, base, job count, delivery count, sort key, event, owner ('' for none) and whether it has one
 * ('1' or '0'), then job id, bare data, …, then endpoint id, first status, … per delivery, then field,
 * value, … of the hash.
 */
const STORE = `${HISTORY_LUA}
local jobs_from = 12
local deliveries_from = jobs_from + 2 * tonumber(ARGV[6])
local first = deliveries_from + 2 * tonumber(ARGV[7])
if redis.call('EXISTS', KEYS[1]) == 1 then
  for i = jobs_from, deliveries_from - 1, 2 do
    local job = ARGV[4] .. ARGV[i]
    if redis.call('EXISTS', job) == 1 then redis.call('HSET', job, 'data', ARGV[i + 1]) end
  end
  return 0
end
for i = first, #ARGV, 200 do redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 199, #ARGV))) end
local count = tonumber(ARGV[1])
redis.call('INCRBY', KEYS[2], count)
local owner = false
if ARGV[11] == '1' then owner = ARGV[10] end
index_message(ARGV[5], ARGV[8], owner, ARGV[9], ARGV, deliveries_from, first - 1)
if count == 0 then mark_finished(ARGV[5], ARGV[3], ARGV[2]) end
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
 * Records settlements, each if its lock is still ours: appends the attempt (and notes its time in the
 * endpoint's ok or ko set), sets the status and due time, moves the delivery between its endpoint's state
 * sets, counts it out of pending, and marks the message finished when it was its last. A delivery
 * cancelled by an erasure while its attempt was in flight keeps that attempt and stays cancelled. Then
 * keeps the lock alive long enough for BullMQ's move that follows, under the settlement's next token (the
 * move's, and the next job's it fetches; the lease's own token to keep it). When one finishes a message,
 * retention runs in the same call. Replies with one number a settlement, in order: 0 (not ours), 1, or 2
 * (message finished).
 * The settlements of one turn of the event loop come in one call (settle-batch.ts): what they share is
 * passed once, and each one's keys are built here from its ids (its lock from the job key prefix, its
 * message and attempt log from base), which saves the sender a command, and Redis a script call, each.
 * A check lock of '0' skips the lock check: only for a settlement whose BullMQ move already succeeded under
 * the lease's token, which proves the lease was ours (see settle()).
 * KEYS: pending, finished. ARGV: now, graceMs, retention's retain count, cutoff and batch size, base, job
 * key prefix, then per settlement (SETTLE_FIELDS each): encoded message id, job id, endpoint id, token,
 * next token, check lock ('1' or '0'), attempt JSON or '', the attempt's outcome ('ok' or 'ko') and start
 * time, status, nextAttemptAt.
 */
const SETTLE = `${HISTORY_LUA}
local now, grace, base, prefix = ARGV[1], tonumber(ARGV[2]), ARGV[6], ARGV[7]
-- The DeliveryState (history-lua.ts: state_of) from a status and the attempt log's length.
local function state(status, attempts, scheduled)
  if status ~= 'pending' then return status end
  if attempts > scheduled then return 'failing' end
  return 'pending'
end
-- Retention: the oldest finished messages beyond the retained count, and those finished before the
-- cutoff, are dropped with their attempt logs and index entries, at most a batch of each per settlement.
local function retain()
  local batch = tonumber(ARGV[5])
  local victims = {}
  local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[3])
  if excess > 0 then victims = redis.call('ZRANGE', KEYS[2], 0, math.min(excess, batch) - 1) end
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4], 'LIMIT', 0, batch)) do
    victims[#victims + 1] = m
  end
  for _, m in ipairs(victims) do
    if redis.call('ZSCORE', KEYS[2], m) then drop_message(base, m) end
  end
end
local function settle(encoded_id, job, e, token, next_token, check, attempt, outcome, started, status, next_at)
  local lock = prefix .. job .. ':lock'
  if check == '1' and redis.call('GET', lock) ~= token then return 0 end
  local key = base .. 'm:' .. encoded_id
  local log = base .. 'a:' .. job
  local f = redis.call('HMGET', key, '${M.sortKey}', '${D.status}' .. e, '${D.scheduleBase}' .. e)
  local sk, previous, scheduled = f[1], f[2], tonumber(f[3] or '0')
  if not previous then return 0 end
  -- The log's length before this attempt: RPUSH tells it when one is appended, else LLEN.
  local attempts
  if attempt ~= '' then
    attempts = redis.call('RPUSH', log, attempt)
    if sk then note_attempt(base, e, sk, outcome, started) end
  else
    attempts = redis.call('LLEN', log)
  end
  local before = state(previous, attempt ~= '' and attempts - 1 or attempts, scheduled)
  if previous == 'cancelled' then status = 'cancelled' end
  redis.call('HSET', key, '${D.status}' .. e, status)
  local result = 1
  if status == 'pending' then
    redis.call('HSET', key, '${D.nextAttemptAt}' .. e, next_at)
  else
    redis.call('HDEL', key, '${D.nextAttemptAt}' .. e)
    if previous == 'pending' then
      redis.call('DECR', KEYS[1])
      if redis.call('HINCRBY', key, '${M.pending}', -1) <= 0 then
        mark_finished(base, encoded_id, now)
        result = 2
      end
    end
  end
  if sk then move_state(base, e, sk, before, state(status, attempts, scheduled)) end
  if check == '1' then
    redis.call('SET', lock, next_token, 'PX', math.max(redis.call('PTTL', lock), grace))
  end
  if result == 2 then retain() end
  return result
end
local results = {}
for i = 8, #ARGV, ${SETTLE_FIELDS} do
  results[#results + 1] = settle(unpack(ARGV, i, i + ${SETTLE_FIELDS - 1}))
end
return results`;

/**
 * Makes deliveries pending again if they are exhausted or disabled (or, with ARGV[3] '1', delivered),
 * due at ARGV[2], with the retry schedule starting after the attempts made so far: redeliver() and
 * recover(). Deliveries of an erased message are left alone: there is nothing left to send. Returns how
 * many were reset.
 * KEYS: pending. ARGV: base, now, include delivered ('1' or '0'), then message id, endpoint id, …
 */
const RESTART = `${HISTORY_LUA}
local base = ARGV[1]
local count = 0
for i = 4, #ARGV, 2 do
  local id, e = ARGV[i], ARGV[i + 1]
  local key = message_key(base, id)
  local status = redis.call('HGET', key, '${D.status}' .. e)
  if (status == 'exhausted' or status == 'disabled' or (status == 'delivered' and ARGV[3] == '1'))
      and redis.call('HEXISTS', key, '${M.erasedAt}') == 0 then
    redis.call('HSET', key, '${D.status}' .. e, 'pending', '${D.nextAttemptAt}' .. e, ARGV[2],
      '${D.scheduleBase}' .. e, redis.call('LLEN', attempts_key(base, id, e)))
    local sk = redis.call('HGET', key, '${M.sortKey}')
    if sk then move_state(base, e, sk, status, 'pending') end
    if redis.call('HINCRBY', key, '${M.pending}', 1) == 1 then mark_unfinished(base, enc(id)) end
    count = count + 1
  end
end
if count > 0 then redis.call('INCRBY', KEYS[1], count) end
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
  hookspecSettle: { numberOfKeys: 2, lua: SETTLE },
  hookspecRestart: { numberOfKeys: 1, lua: RESTART },
  hookspecPeek: { numberOfKeys: 4, lua: PEEK },
  ...HISTORY_SCRIPTS,
} as const;

type Arg = string | number;
/** Lua returns nested arrays of strings, numbers and nulls. */
export type LuaReply = string | number | null | LuaReply[];

/** The scripts as ioredis commands (defineCommand), on a client or inside a MULTI. */
export interface ScriptCommands<R> extends HistoryScriptCommands<R> {
  hookspecStore(message: string, pending: string, finished: string, ...args: Arg[]): R;
  hookspecReadLease(lock: string, stalled: string, message: string, attempts: string, ...args: Arg[]): R;
  hookspecSettle(pending: string, finished: string, ...args: Arg[]): R;
  hookspecRestart(pending: string, ...args: Arg[]): R;
  hookspecPeek(pending: string, wait: string, delayed: string, active: string, ...args: Arg[]): R;
}
