// The history indexes, in Lua: their key names and the steps that keep them, shared by every script that
// changes a message or a delivery (redis-scripts.ts, history-scripts.ts). Only Lua names index keys, so
// their layout lives here alone:
//
//   ix:all                       every message
//   ix:o=<owner>, ix:o-          a given owner's messages; ix:o- those sent without one ('-' is never
//                                produced by the encoding of an owner, which starts with '=')
//   <owner key>:e=<event>        an owner's messages of one event
//   ix:ep=<endpoint>:<state>     messages whose delivery to the endpoint is in that DeliveryState (pending,
//                                failing, delivered, exhausted, disabled, cancelled): a delivery is in
//                                exactly one, so together they are the endpoint's messages
//   ix:ep=<endpoint>:ok / :ko    the endpoint's last successful / failed attempt per delivery, scored by
//                                its start time; trimmed to about the newest TRIM_LAST entries (endpointStats)
//
// Every index but ok/ko is a sorted set whose scores are all 0 and whose members are the messages' sort
// keys (message-hash.ts: `<createdAt>:<id>`), so it is ordered by createdAt, then id, and pages and time
// windows are member ranges (BYLEX). Owners, events and endpoints are percent-encoded in key names with
// the rules of encodeURIComponent (enc), which also builds the message and attempt-log keys the
// TypeScript side builds the same way (redis-keys.ts); ':' is encoded, so the parts never run together.
// Keys are built from `base` (the queue's `<prefix>:<name>:hookspec:`), so a Redis Cluster hash tag in the
// prefix keeps them in the queue's slot, as BullMQ's own keys are.
//
// Versions before 2026-12 also kept `ix:done` (finished messages by createdAt: prune() now walks ix:all
// and asks `finished`) and `ix:ep=<endpoint>` (an endpoint's messages: the union of its state sets). Each
// costs a write per message for no query that needs it; drop_message still takes a message out of both,
// so what an earlier version filed there goes away with its message.
import { DELIVERY_FIELD as D, MESSAGE_FIELD as M } from './message-hash';

/** At least this many entries are kept in an endpoint's ok/ko sets: endpointStats looks among them. */
const TRIM_LAST = 1_000;
/** An ok/ko set is trimmed back to TRIM_LAST once it holds this many more: one trim per this many attempts. */
const TRIM_SLACK = 100;

/** Every DeliveryState, each an endpoint's state set (the suffix after `ix:ep=<endpoint>:`). */
export const STATES_LUA = "{'pending', 'failing', 'delivered', 'exhausted', 'disabled', 'cancelled'}";

export const HISTORY_LUA = `
local function enc(s)
  return (string.gsub(s, "[^%w%-_%.!~%*'%(%)]", function(c) return string.format('%%%02X', string.byte(c)) end))
end
local function message_key(base, id) return base .. 'm:' .. enc(id) end
-- A delivery's job id (redis-keys.ts: deliveryJobId), from the message id already encoded.
local function job_id(encoded_id, e) return encoded_id .. '|' .. enc(e) end
local function attempts_key(base, id, e) return base .. 'a:' .. job_id(enc(id), e) end
local function owner_index(base, owner)
  if owner then return base .. 'ix:o=' .. enc(owner) end
  return base .. 'ix:o-'
end
local function endpoint_index(base, e) return base .. 'ix:ep=' .. enc(e) end
-- The indexes a message is in by its own fields (the endpoint ones come from its deliveries).
local function message_indexes(base, owner, event)
  local by_owner = owner_index(base, owner)
  return {base .. 'ix:all', by_owner, by_owner .. ':e=' .. enc(event)}
end
-- A delivery's DeliveryState: a pending one is failing once an attempt was made since its last restart.
-- key: the message's hash; log: the delivery's attempt log.
local function state_of(key, log, e, status)
  if status ~= 'pending' then return status end
  local scheduled = tonumber(redis.call('HGET', key, '${D.scheduleBase}' .. e) or '0')
  if redis.call('LLEN', log) > scheduled then return 'failing' end
  return 'pending'
end
-- Moves a delivery's entry between its endpoint's state sets.
local function move_state(base, e, sk, from, to)
  if from == to then return end
  local index = endpoint_index(base, e)
  redis.call('ZREM', index .. ':' .. from, sk)
  redis.call('ZADD', index .. ':' .. to, 0, sk)
end
-- Files a new message in every index: sk its sort key, owner false when it has none, deliveries a flat
-- list of endpoint id and first status (pending or disabled) from position from to position to.
local function index_message(base, sk, owner, event, deliveries, from, to)
  for _, index in ipairs(message_indexes(base, owner, event)) do redis.call('ZADD', index, 0, sk) end
  for i = from, to, 2 do
    redis.call('ZADD', endpoint_index(base, deliveries[i]) .. ':' .. deliveries[i + 1], 0, sk)
  end
end
-- Records a delivery's attempt time in its endpoint's ok or ko set, keeping at least the newest ${TRIM_LAST}.
local function note_attempt(base, e, sk, outcome, at)
  local index = endpoint_index(base, e) .. ':' .. outcome
  redis.call('ZADD', index, at, sk)
  if redis.call('ZCARD', index) > ${TRIM_LAST + TRIM_SLACK} then
    redis.call('ZREMRANGEBYRANK', index, 0, -${TRIM_LAST + 1})
  end
end
-- A message whose last pending delivery ended: retention (by the time it finished) and prune may now drop it.
local function mark_finished(base, encoded_id, now)
  redis.call('ZADD', base .. 'finished', now, encoded_id)
end
local function mark_unfinished(base, encoded_id)
  redis.call('ZREM', base .. 'finished', encoded_id)
end
-- Deletes a message (by its percent-encoded id), its attempt logs and all its index entries: each
-- delivery leaves the one state set its state puts it in, and the legacy indexes (see the top).
-- (A message stored before the history existed has no sort key: it is in no index.)
local function drop_message(base, encoded_id)
  local key = base .. 'm:' .. encoded_id
  local f = redis.call('HMGET', key, '${M.sortKey}', '${M.owner}', '${M.event}', '${M.endpoints}')
  local sk, endpoints = f[1], cjson.decode(f[4] or '[]')
  if sk and f[3] then
    for _, index in ipairs(message_indexes(base, f[2], f[3])) do redis.call('ZREM', index, sk) end
    redis.call('ZREM', base .. 'ix:done', sk)
    for _, e in ipairs(endpoints) do
      local index = endpoint_index(base, e)
      local status = redis.call('HGET', key, '${D.status}' .. e) or 'pending'
      local state = state_of(key, base .. 'a:' .. job_id(encoded_id, e), e, status)
      redis.call('ZREM', index .. ':' .. state, sk)
      redis.call('ZREM', index .. ':ok', sk)
      redis.call('ZREM', index .. ':ko', sk)
      redis.call('ZREM', index, sk)
    end
  end
  for _, e in ipairs(endpoints) do redis.call('DEL', base .. 'a:' .. job_id(encoded_id, e)) end
  redis.call('DEL', key)
  redis.call('ZREM', base .. 'finished', encoded_id)
end
`;
