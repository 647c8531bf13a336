-- Gives back a failure reserved by account-failure.lua for an attempt that spent nothing or did not
-- count (a verification already decided, an approval that proves nothing about the account). Below
-- the threshold again, the lock that reservation started goes too; at or above it the lock stays
-- (a few seconds too strict at worst, never too lenient).
-- KEYS[1]: account lock hash; ARGV[1]: threshold
-- Returns the consecutive failures left.
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
if failures <= 0 then
  return 0
end
failures = redis.call('HINCRBY', KEYS[1], 'failures', -1)
if failures < tonumber(ARGV[1]) then
  redis.call('HDEL', KEYS[1], 'until')
end
return failures
