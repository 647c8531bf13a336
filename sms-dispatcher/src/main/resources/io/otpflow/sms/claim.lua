-- Claims one dispatch event's send as a lease, or takes over a lease whose owner stopped renewing it
-- (died) before it could mark the outcome.
-- KEYS[1] = otp:sms:{<id>}:<event id>; ARGV[1] = owner token, ARGV[2] = now (epoch ms),
-- ARGV[3] = lease (ms), ARGV[4] = lifetime of the claim (ms).
-- A lease reads lease|<token>|<until ms>|<phase>|<attempt>; phase is claimed, or calling once the
-- provider call started. 'sending' is the permanent claim of earlier versions: taken over as a lease
-- that was calling.
-- Returns {'claimed', ''}, {'takeover', <the expired lease>} or {'existing', <state>}.
local current = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[2])
local function lease(attempt)
  return 'lease|' .. ARGV[1] .. '|' .. (now + tonumber(ARGV[3])) .. '|claimed|' .. attempt
end
if not current then
  redis.call('SET', KEYS[1], lease(1), 'PX', ARGV[4])
  return {'claimed', ''}
end
if current == 'sending' then
  redis.call('SET', KEYS[1], lease(1), 'PX', ARGV[4])
  return {'takeover', 'lease||0|calling|1'}
end
local _, untilMs, _, attempt = string.match(current, '^lease|([^|]*)|(%d+)|(%a+)|(%d+)$')
if untilMs and tonumber(untilMs) <= now then
  redis.call('SET', KEYS[1], lease(attempt), 'PX', ARGV[4])
  return {'takeover', current}
end
return {'existing', current}
