-- One check of a submitted code, atomically: an attempt is spent before the compare, so parallel
-- guesses can never exceed the limit, and a code approves at most once.
-- KEYS[1]: verification hash
-- ARGV[1]: MAC of the submitted code; ARGV[2]: now (ms); ARGV[3]: tenant; ARGV[4]: request id;
-- ARGV[5]: '' to compare ARGV[1] with the stored MAC, or 'match' / 'nomatch' when the verifier decided
-- the code itself (authenticator-app and recovery-code verifications, which store no MAC: their
-- codes come from the account's factors). Only such verifications take an outside decision.
-- Returns {outcome, attempts left, account, status, spent}; outcome is approved, denied, expired,
-- locked, not_pending (already approved or voided; status says which) or not_found (also for
-- another tenant's verification). spent = 1 only when this call used up an attempt. A request
-- delivered twice gets its first answer again with spent = 0, so a Kafka redelivery never costs the
-- user an attempt; answers are remembered only for calls that spent one, so at most max-checks of them.
local h = redis.call('HMGET', KEYS[1], 'tenant', 'status', 'exp', 'att', 'max', 'mac', 'account', 'r:' .. ARGV[4],
  'channel')
if not h[1] or h[1] ~= ARGV[3] then
  return {'not_found', 0, '', '', 0}
end
if h[8] then
  local first = cjson.decode(h[8])
  return {first[1], first[2], first[3], first[4], 0}
end
local account = h[7] or ''
local function finish(outcome, left)
  redis.call('HSET', KEYS[1], 'r:' .. ARGV[4], cjson.encode({outcome, left, account, ''}))
  return {outcome, left, account, '', 1}
end
local status = h[2]
if status == 'approved' or status == 'canceled' or status == 'denied' then
  return {'not_pending', 0, account, status, 0}
end
if status == 'expired' or status == 'locked' then
  return {status, 0, account, '', 0}
end
if tonumber(ARGV[2]) >= tonumber(h[3]) then
  redis.call('HSET', KEYS[1], 'status', 'expired')
  redis.call('HDEL', KEYS[1], 'mac')
  return {'expired', 0, account, '', 0}
end
local attempts = tonumber(h[4]) + 1
local max = tonumber(h[5])
redis.call('HSET', KEYS[1], 'att', attempts)
local matched
local decided = ARGV[5] or ''
if decided ~= '' then
  matched = decided == 'match' and (h[9] == 'totp' or h[9] == 'recovery_code')
else
  -- Constant-time compare: every byte is looked at whatever the first difference is.
  local stored, given = h[6] or '', ARGV[1]
  local diff = 0
  if #stored ~= #given then
    diff = 1
  end
  for i = 1, #given do
    diff = bit.bor(diff, bit.bxor(string.byte(stored, i) or 0, string.byte(given, i)))
  end
  matched = diff == 0 and #given > 0 and #stored > 0
end
if matched then
  redis.call('HSET', KEYS[1], 'status', 'approved', 'approved_at', ARGV[2])
  redis.call('HDEL', KEYS[1], 'mac')
  return finish('approved', 0)
end
if attempts >= max then
  redis.call('HSET', KEYS[1], 'status', 'locked')
  redis.call('HDEL', KEYS[1], 'mac')
  return finish('locked', 0)
end
return finish('denied', max - attempts)
