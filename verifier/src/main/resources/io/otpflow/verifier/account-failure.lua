-- Counts one more consecutive failed check for an account; past the threshold the account's
-- second factor is locked for a delay that doubles with each further failure, up to a maximum.
-- With ARGV[6] = 'reserve' the failure is counted before the attempt it stands for, and only when
-- the account is not locked: the lock is read and the failure counted in one step, so attempts that
-- come at once cannot all pass a lock that the first of them was about to start. The caller gives
-- the failure back (account-refund.lua) when the attempt succeeds or spends nothing.
-- KEYS[1]: account lock hash; ARGV: now ms, threshold, base delay ms, max delay ms, keep ms, mode
-- Returns {consecutive failures, locked until (ms, 0 when not locked), the lock it replaced (ms, 0
-- for none)}; when reserving on a locked account, {-1, locked until, 0} and nothing is counted.
local now, threshold = tonumber(ARGV[1]), tonumber(ARGV[2])
local base, max = tonumber(ARGV[3]), tonumber(ARGV[4])
local previous = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if ARGV[6] == 'reserve' and previous > now then
  return {-1, previous, 0}
end
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
return {failures, locked_until, previous}
