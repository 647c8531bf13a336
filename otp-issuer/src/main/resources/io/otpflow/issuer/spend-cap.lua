-- Reserves one message's estimated price against a tenant's daily spend cap, atomically, so several
-- issuers admitting sends at once cannot overshoot the cap together.
-- KEYS[1]: the tenant's spend counter for one UTC day, in micro-units of money
-- ARGV[1]: price of the message (micro-units); ARGV[2]: cap (micro-units); ARGV[3]: counter TTL (ms)
-- Returns {1, spent including this message} when reserved, {0, spent so far} when it would pass the cap.
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
local price = tonumber(ARGV[1])
if spent + price > tonumber(ARGV[2]) then
  return {0, spent}
end
spent = redis.call('INCRBY', KEYS[1], price)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, spent}
