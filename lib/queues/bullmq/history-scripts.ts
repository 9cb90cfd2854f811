// The scripts of the message history (MessageHistory): reads that walk one index (history-lua.ts) a
// bounded number of entries per call, and the changes that must be atomic (erase, prune, the recover
// scan). Index keys are named in Lua only; each script also takes one key in KEYS, in the queue's slot,
// so that a Redis Cluster client sends it to the node that holds the queue.
import { HISTORY_LUA } from './history-lua';
import { DELIVERY_FIELD as D, MESSAGE_FIELD as M } from './message-hash';

/**
 * One page of messages, newest first, from one index, as a list of sort keys read backwards (BYLEX REV)
 * from ARGV[hi] down to ARGV[lo]. The index is the closest one to the filters (history-query.ts picks it);
 * filters it does not answer exactly are checked per message, and at most ARGV[budget] entries are looked
 * at per call, so a rare match among many messages costs a bounded call that returns a short page and a
 * position to resume from. Looks one match past the page to tell whether it is the last.
 * Returns {resume position or '', then per message {id, HGETALL, {attempt log per delivery}}}.
 * KEYS: the all index (routing). ARGV: base, index kind, owner mode ('*' any, '-' none, '=' this one),
 * owner, event, endpoint, state, checks (letters o, e, s: filters the index does not answer), hi, lo,
 * limit, budget.
 */
const QUERY = `${HISTORY_LUA}
local base, kind, owner_mode, event, endpoint, state, checks = ARGV[1], ARGV[2], ARGV[3], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local owner = false
if owner_mode == '=' then owner = ARGV[4] end
local index
if kind == 'all' then index = base .. 'ix:all'
elseif kind == 'owner' then index = owner_index(base, owner)
elseif kind == 'owner-event' then index = owner_index(base, owner) .. ':e=' .. enc(event)
elseif kind == 'endpoint' then index = endpoint_index(base, endpoint)
else index = endpoint_index(base, endpoint) .. ':' .. state end
local check_owner, check_event = string.find(checks, 'o', 1, true), string.find(checks, 'e', 1, true)
local check_state = string.find(checks, 's', 1, true)
local function in_state(key, id, e)
  local status = redis.call('HGET', key, '${D.status}' .. e)
  return status and state_of(key, attempts_key(base, id, e), e, status) == state
end
local function matches(key, id)
  if redis.call('EXISTS', key) == 0 then return false end
  if check_owner then
    local o = redis.call('HGET', key, '${M.owner}')
    if o ~= owner then return false end
  end
  if check_event and redis.call('HGET', key, '${M.event}') ~= event then return false end
  if check_state then
    if endpoint ~= '' then return in_state(key, id, endpoint) end
    local eps = redis.call('HGET', key, '${M.endpoints}')
    if not eps then return false end
    for _, e in ipairs(cjson.decode(eps)) do
      if in_state(key, id, e) then return true end
    end
    return false
  end
  return true
end
local hi, lo, limit, budget = ARGV[9], ARGV[10], tonumber(ARGV[11]), tonumber(ARGV[12])
local found, last_found, last_seen, seen, resume = {}, nil, nil, 0, ''
while true do
  local want = math.min(100, budget - seen)
  if want <= 0 then
    resume = last_seen
    break
  end
  local members = redis.call('ZRANGE', index, hi, lo, 'BYLEX', 'REV', 'LIMIT', 0, want)
  local full = false
  for _, m in ipairs(members) do
    local id = string.sub(m, 17)
    local key = message_key(base, id)
    seen = seen + 1
    if matches(key, id) then
      if #found == limit then
        resume = last_found
        full = true
        break
      end
      local logs = {}
      local jobs = redis.call('HGET', key, '${M.jobs}')
      for i, job in ipairs(cjson.decode(jobs or '[]')) do logs[i] = redis.call('LRANGE', base .. 'a:' .. job, 0, -1) end
      found[#found + 1] = {id, redis.call('HGETALL', key), logs}
      last_found = m
    end
    last_seen = m
  end
  if full or #members < want then break end
  hi = '(' .. members[#members]
end
local reply = {resume}
for _, item in ipairs(found) do reply[#reply + 1] = item end
return reply`;

/**
 * An endpoint's counts by state of deliveries of messages created in the window, and the start of its
 * last successful and last failed attempt of such messages (among the newest kept in its ok/ko sets).
 * Returns {pending, failing, delivered, exhausted, disabled, last success or false, last failure or false}.
 * KEYS: the all index (routing). ARGV: base, endpoint, since, until (15-digit sort times).
 */
const STATS = `${HISTORY_LUA}
local index = endpoint_index(ARGV[1], ARGV[2])
local lo, hi = '[' .. ARGV[3] .. ':', '(' .. ARGV[4] .. ':'
local since, before = tonumber(ARGV[3]), tonumber(ARGV[4])
local reply = {}
for _, state in ipairs({'pending', 'failing', 'delivered', 'exhausted', 'disabled'}) do
  reply[#reply + 1] = redis.call('ZLEXCOUNT', index .. ':' .. state, lo, hi)
end
local function last(outcome)
  local entries = redis.call('ZRANGE', index .. ':' .. outcome, 0, -1, 'REV', 'WITHSCORES')
  for i = 1, #entries, 2 do
    local created = tonumber(string.sub(entries[i], 1, 15))
    if created >= since and created < before then return entries[i + 1] end
  end
  return false
end
reply[6] = last('ok')
reply[7] = last('ko')
return reply`;

/**
 * Up to ARGV[6] sort keys of the endpoint's deliveries in state ARGV[3] (exhausted or disabled) of
 * messages created in the window, oldest first: what recover() restarts, one batch at a time.
 * KEYS: the all index (routing). ARGV: base, endpoint, state, lo ('[<since>:' or past the last batch),
 * hi ('(<until>:' or '+'), batch.
 */
const RECOVER_SCAN = `${HISTORY_LUA}
local index = endpoint_index(ARGV[1], ARGV[2]) .. ':' .. ARGV[3]
return redis.call('ZRANGE', index, ARGV[4], ARGV[5], 'BYLEX', 'LIMIT', 0, ARGV[6])`;

/**
 * Erases a message's payload: its body becomes '' and erasedAt is set (once); its pending deliveries end
 * cancelled, counted out of pending, and their BullMQ jobs lose the copy of the message they carry for a
 * first lease (bare data, ids only, as STORE gives a refused message's jobs), so a lease reads the
 * cancelled delivery and completes the job. Returns false for an unknown message, else the cancelled
 * deliveries' job ids (the caller then takes those jobs out of BullMQ's waiting and delayed sets).
 * KEYS: message, pending. ARGV: base, now, job key prefix, message id.
 */
const ERASE = `${HISTORY_LUA}
local key, base, id = KEYS[1], ARGV[1], ARGV[4]
if redis.call('EXISTS', key) == 0 then return false end
redis.call('HSET', key, '${M.body}', '')
if redis.call('HEXISTS', key, '${M.erasedAt}') == 0 then redis.call('HSET', key, '${M.erasedAt}', ARGV[2]) end
local f = redis.call('HMGET', key, '${M.sortKey}', '${M.endpoints}', '${M.jobs}')
local sk, jobs = f[1], cjson.decode(f[3])
local cancelled = {}
for i, e in ipairs(cjson.decode(f[2])) do
  local status = redis.call('HGET', key, '${D.status}' .. e)
  if status == 'pending' then
    local state = state_of(key, attempts_key(base, id, e), e, status)
    redis.call('HSET', key, '${D.status}' .. e, 'cancelled')
    redis.call('HDEL', key, '${D.nextAttemptAt}' .. e)
    if sk then move_state(base, e, sk, state, 'cancelled') end
    local job = ARGV[3] .. jobs[i]
    if redis.call('EXISTS', job) == 1 then
      redis.call('HSET', job, 'data', cjson.encode({messageId = id, endpointId = e}))
    end
    cancelled[#cancelled + 1] = jobs[i]
  end
end
if #cancelled > 0 then
  redis.call('DECRBY', KEYS[2], #cancelled)
  if redis.call('HINCRBY', key, '${M.pending}', -#cancelled) <= 0 then mark_finished(base, enc(id), sk, ARGV[2]) end
end
return cancelled`;

/**
 * Deletes up to ARGV[4] finished messages of each kind: created before ARGV[2] (a sort time, or '' for
 * no age limit), and the oldest beyond the newest ARGV[3] ('' for no count limit). Returns how many.
 * KEYS: the done index. ARGV: base, older than, keep, batch.
 */
const PRUNE = `${HISTORY_LUA}
local base, batch = ARGV[1], tonumber(ARGV[4])
local victims = {}
if ARGV[2] ~= '' then
  victims = redis.call('ZRANGE', KEYS[1], '-', '(' .. ARGV[2] .. ':', 'BYLEX', 'LIMIT', 0, batch)
end
if ARGV[3] ~= '' then
  local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
  if excess > 0 then
    for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, math.min(excess, batch) - 1)) do victims[#victims + 1] = m end
  end
end
local count = 0
for _, m in ipairs(victims) do
  if redis.call('ZSCORE', KEYS[1], m) then
    drop_message(base, enc(string.sub(m, 17)))
    count = count + 1
  end
end
return count`;

export const HISTORY_SCRIPTS = {
  hookspecQuery: { numberOfKeys: 1, lua: QUERY },
  hookspecStats: { numberOfKeys: 1, lua: STATS },
  hookspecRecoverScan: { numberOfKeys: 1, lua: RECOVER_SCAN },
  hookspecErase: { numberOfKeys: 2, lua: ERASE },
  hookspecPrune: { numberOfKeys: 1, lua: PRUNE },
} as const;

type Arg = string | number;

/** The history scripts as ioredis commands (defineCommand). */
export interface HistoryScriptCommands<R> {
  hookspecQuery(allIndex: string, ...args: Arg[]): R;
  hookspecStats(allIndex: string, ...args: Arg[]): R;
  hookspecRecoverScan(allIndex: string, ...args: Arg[]): R;
  hookspecErase(message: string, pending: string, ...args: Arg[]): R;
  hookspecPrune(doneIndex: string, ...args: Arg[]): R;
}
