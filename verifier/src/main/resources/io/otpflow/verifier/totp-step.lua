-- The TOTP replay guard: a time step of a factor is accepted at most once, and never one at or
-- before the last accepted step (RFC 6238 section 5.2), atomically, so of concurrent checks of one
-- code exactly one passes.
-- KEYS[1]: account hash; ARGV[1]: the factor's step field; ARGV[2]: the step; ARGV[3]: the factor's field
-- Returns 1 when the step is accepted, 0 when it was used (or the factor is gone).
if redis.call('HEXISTS', KEYS[1], ARGV[3]) == 0 then
  return 0
end
local last = redis.call('HGET', KEYS[1], ARGV[1])
if last and tonumber(ARGV[2]) <= tonumber(last) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
