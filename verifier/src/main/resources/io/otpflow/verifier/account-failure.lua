-- Counts one more consecutive failed check for an account; past the threshold the account's
-- second factor is locked for a delay that doubles with each further failure, up to a maximum.
-- KEYS[1]: account lock hash; ARGV: now ms, threshold, base delay ms, max delay ms, keep ms
-- Returns {consecutive failures, locked until (ms, 0 when not locked)}.
local now, threshold = tonumber(ARGV[1]), tonumber(ARGV[2])
local base, max = tonumber(ARGV[3]), tonumber(ARGV[4])
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local locked_until = 0
if failures >= threshold then
  local steps = math.min(failures - threshold, 40)
  local delay = math.min(base * (2 ^ steps), max)
  locked_until = now + delay
  -- Formatted here: some Redis 7.2 releases turned large Lua numbers into exponent notation.
  redis.call('HSET', KEYS[1], 'until', string.format('%d', locked_until))
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
return {failures, locked_until}
