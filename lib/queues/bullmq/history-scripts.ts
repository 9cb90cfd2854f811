// The scripts of the message history (MessageHistory): reads that walk one index (history-lua.ts) a
// bounded number of entries per call, and the changes that must be atomic (erase, prune, the recover
// scan). Index keys are named in Lua only; each script also takes one key in KEYS, in the queue's slot,
// so that a Redis Cluster client sends it to the node that holds the queue.
import { HISTORY_LUA, STATES_LUA } from './history-lua';
import { DELIVERY_FIELD as D, MESSAGE_FIELD as M } from './message-hash';

/**
 * One page of messages, newest first, from one index, as a list of sort keys read backwards (BYLEX REV)
 * from ARGV[hi] down to ARGV[lo]. The index is the closest one to the filters (history-query.ts picks it);
 * an endpoint's messages are the union of its state sets, read together and merged (a delivery is in one);
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
elseif kind == 'endpoint' then index = false
else index = endpoint_index(base, endpoint) .. ':' .. state end
-- True when sort key a comes after b byte by byte, as BYLEX orders them (Lua's own < follows the locale).
local function after(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
-- Up to \`want\` members from hi down to lo: of the index, or merged from the endpoint's state sets.
local function range(hi, lo, want)
  if index then return redis.call('ZRANGE', index, hi, lo, 'BYLEX', 'REV', 'LIMIT', 0, want) end
  local lists, heads, merged = {}, {}, {}
  for i, suffix in ipairs(${STATES_LUA}) do
    lists[i] = redis.call('ZRANGE', endpoint_index(base, endpoint) .. ':' .. suffix, hi, lo, 'BYLEX', 'REV', 'LIMIT', 0, want)
    heads[i] = 1
  end
  while #merged < want do
    local best
    for i, list in ipairs(lists) do
      local m = list[heads[i]]
      if m and (not best or after(m, lists[best][heads[best]])) then best = i end
    end
    if not best then break end
    merged[#merged + 1] = lists[best][heads[best]]
    heads[best] = heads[best] + 1
  end
  return merged
end
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
  local members = range(hi, lo, want)
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
      local endpoints = redis.call('HGET', key, '${M.endpoints}')
      for i, e in ipairs(cjson.decode(endpoints or '[]')) do logs[i] = redis.call('LRANGE', attempts_key(base, id, e), 0, -1) end
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
local f = redis.call('HMGET', key, '${M.sortKey}', '${M.endpoints}')
local sk = f[1]
local cancelled = {}
for _, e in ipairs(cjson.decode(f[2])) do
  local status = redis.call('HGET', key, '${D.status}' .. e)
  if status == 'pending' then
    local state = state_of(key, attempts_key(base, id, e), e, status)
    redis.call('HSET', key, '${D.status}' .. e, 'cancelled')
    redis.call('HDEL', key, '${D.nextAttemptAt}' .. e)
    if sk then move_state(base, e, sk, state, 'cancelled') end
    local jid = job_id(enc(id), e)
    local job = ARGV[3] .. jid
    if redis.call('EXISTS', job) == 1 then
      redis.call('HSET', job, 'data', cjson.encode({messageId = id, endpointId = e}))
    end
    cancelled[#cancelled + 1] = jid
  end
end
if #cancelled > 0 then
  redis.call('DECRBY', KEYS[2], #cancelled)
  if redis.call('HINCRBY', key, '${M.pending}', -#cancelled) <= 0 then mark_finished(base, enc(id), ARGV[2]) end
end
return cancelled`;

/**
 * Deletes finished messages selected by one rule, oldest first, walking every message's index (ix:all)
 * upwards from ARGV[3] and asking the finished set about each: with ARGV[2] 'older', those created before
 * ARGV[4] (a sort time); with 'keep', the oldest beyond the newest ARGV[4] finished. Looks at most ARGV[5]
 * entries and deletes at most ARGV[6] per call. Returns {how many it deleted, the position to resume
 * from, or '' once the walk reached the end}.
 * KEYS: the all index. ARGV: base, rule, from ('-' or past a position), bound, budget, batch.
 */
const PRUNE = `${HISTORY_LUA}
local base, rule, lo, bound = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local budget, batch = tonumber(ARGV[5]), tonumber(ARGV[6])
local finished = base .. 'finished'
local hi, wanted = '+', batch
if rule == 'older' then hi = '(' .. bound .. ':'
else wanted = math.min(batch, redis.call('ZCARD', finished) - tonumber(bound)) end
if wanted <= 0 then return {0, ''} end
local count, seen = 0, 0
while seen < budget do
  local want = math.min(100, budget - seen)
  local members = redis.call('ZRANGE', KEYS[1], lo, hi, 'BYLEX', 'LIMIT', 0, want)
  for _, m in ipairs(members) do
    seen = seen + 1
    lo = '(' .. m
    local id = enc(string.sub(m, 17))
    if redis.call('ZSCORE', finished, id) then
      drop_message(base, id)
      count = count + 1
      if count == wanted then return {count, lo} end
    end
  end
  if #members < want then return {count, ''} end
end
return {count, lo}`;

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
  hookspecPrune(allIndex: string, ...args: Arg[]): R;
}
