-- A push device's answer to an approve-mode verification, atomically, after the verifier checked its
-- signature: the first valid answer decides, so two devices answering at once give one decision.
-- KEYS[1]: verification hash
-- ARGV[1]: tenant; ARGV[2]: request id; ARGV[3]: now (ms); ARGV[4]: approve or deny;
-- ARGV[5]: the number the device sent ('' = none); ARGV[6..8]: device id, name, label (recorded).
-- Returns {outcome, attempts left, account, status, spent} like check.lua; outcome is approved,
-- declined (a device denied: status denied), denied (approve with a wrong or missing number,
-- attempts left), locked (that used the last attempt), expired, not_pending (status: approved,
-- denied or canceled), refused (not a push verification in approve mode) or not_found. spent = 1
-- when this call decided or used an attempt; a request delivered twice gets its first answer again,
-- and so does the same wrong number from the same device (w:<device>:<number>, spent = 0).
local h = redis.call('HMGET', KEYS[1], 'tenant', 'status', 'exp', 'att', 'max', 'channel', 'mode', 'number',
  'account', 'r:' .. ARGV[2])
if not h[1] or h[1] ~= ARGV[1] then
  return {'not_found', 0, '', '', 0}
end
if h[10] then
  local first = cjson.decode(h[10])
  return {first[1], first[2], first[3], first[4], 0}
end
local account = h[9] or ''
if h[6] ~= 'push' or h[7] ~= 'approve' then
  return {'refused', 0, account, '', 0}
end
local function finish(outcome, left)
  redis.call('HSET', KEYS[1], 'r:' .. ARGV[2], cjson.encode({outcome, left, account, ''}))
  return {outcome, left, account, '', 1}
end
local status = h[2]
if status == 'approved' or status == 'canceled' or status == 'denied' then
  return {'not_pending', 0, account, status, 0}
end
if status == 'expired' or status == 'locked' then
  return {status, 0, account, '', 0}
end
if tonumber(ARGV[3]) >= tonumber(h[3]) then
  redis.call('HSET', KEYS[1], 'status', 'expired')
  return {'expired', 0, account, '', 0}
end
local function decide(new_status, decision)
  redis.call('HSET', KEYS[1], 'status', new_status, 'ans_dev', ARGV[6], 'ans_name', ARGV[7], 'ans_label', ARGV[8],
    'ans_dec', decision, 'ans_at', ARGV[3])
end
if ARGV[4] == 'deny' then
  decide('denied', 'deny')
  return finish('declined', 0)
end
if h[8] and ARGV[5] ~= h[8] then
  -- Number matching: only the number shown on the login screen approves; a wrong one is a failed attempt.
  -- Once per device and number: the same signed text again (a retry, or a replay by whoever saw it, as
  -- the route needs no API key) is answered as before and spends nothing.
  local tried = 'w:' .. ARGV[6] .. ':' .. ARGV[5]
  local max = tonumber(h[5])
  if redis.call('HSETNX', KEYS[1], tried, '1') == 0 then
    return {'denied', max - tonumber(h[4]), account, '', 0}
  end
  local attempts = tonumber(h[4]) + 1
  redis.call('HSET', KEYS[1], 'att', attempts)
  if attempts >= max then
    redis.call('HSET', KEYS[1], 'status', 'locked')
    return finish('locked', 0)
  end
  return finish('denied', max - attempts)
end
decide('approved', 'approve')
redis.call('HSET', KEYS[1], 'approved_at', ARGV[3])
return finish('approved', 0)
