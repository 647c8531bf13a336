-- One password attempt, reserved as a failure before the password is checked: the waits are read
-- and the failure counted in one step, so attempts that come at once cannot all pass a wait the
-- first of them was about to start. The caller clears both counters when the password was right.
-- Past its free failures, each counter makes the next attempt wait a delay that doubles with each
-- further failure, up to its own maximum.
-- KEYS[1]: the (address, username) counter; KEYS[2]: the username's counter
-- ARGV: now ms, free per pair, max wait per pair ms, free per username, max wait per username ms,
--       first wait ms, keep ms (a counter is forgotten that long after its last failure)
-- Returns {1, 0} when the attempt may go ahead, {0, ms to wait} when it must wait (nothing counted).
local now = tonumber(ARGV[1])
local wait = 0
for i = 1, 2 do
  local u = tonumber(redis.call('HGET', KEYS[i], 'until') or '0')
  if u - now > wait then
    wait = u - now
  end
end
if wait > 0 then
  return {0, wait}
end
local free = {tonumber(ARGV[2]), tonumber(ARGV[4])}
local max = {tonumber(ARGV[3]), tonumber(ARGV[5])}
for i = 1, 2 do
  local failures = redis.call('HINCRBY', KEYS[i], 'failures', 1)
  local over = failures - free[i]
  if over > 0 then
    local delay = math.min(tonumber(ARGV[6]) * (2 ^ math.min(over - 1, 40)), max[i])
    -- Formatted here: some Redis 7.2 releases turned large Lua numbers into exponent notation.
    redis.call('HSET', KEYS[i], 'until', string.format('%d', now + delay))
  end
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[7]))
end
return {1, 0}
