-- Claims one device's send (field c:<device>) or withdrawal (w:<device>) of a verification.
-- KEYS[1] = otp:push:{<id>}; ARGV[1] = field, ARGV[2] = lifetime (ms) the state must at least keep,
-- ARGV[3] = '1' when a decided verification must not be sent any more (sends, not withdrawals).
-- Returns {'claimed', ''}, {'existing', <state>} or {'decided', <decided>}.
local function keep(ms)
  if redis.call('PTTL', KEYS[1]) < ms then
    redis.call('PEXPIRE', KEYS[1], ms)
  end
end
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  return {'existing', current}
end
if ARGV[3] == '1' then
  local decided = redis.call('HGET', KEYS[1], 'decided')
  if decided then
    redis.call('HSET', KEYS[1], ARGV[1], 'failed:decided')
    keep(tonumber(ARGV[2]))
    return {'decided', decided}
  end
end
redis.call('HSET', KEYS[1], ARGV[1], 'sending')
keep(tonumber(ARGV[2]))
return {'claimed', ''}
