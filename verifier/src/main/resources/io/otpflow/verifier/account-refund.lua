-- Gives back a failure reserved by account-failure.lua for an attempt that spent nothing or did not
-- count (a verification already decided, an approval that proves nothing about the account). A lock
-- that the reservation started is undone: when the lock is still the one the reservation set
-- (nothing failed since), the lock it replaced comes back (or none); below the threshold again, no
-- lock stays at all. So an approval that proves nothing neither resets the count nor leaves the
-- account locked longer than it was.
-- KEYS[1]: account lock hash; ARGV[1]: threshold, ARGV[2]: the lock the reservation set (ms, 0 for
-- none), ARGV[3]: the lock it replaced (ms, 0 for none)
-- Returns the consecutive failures left.
local failures = tonumber(redis.call('HGET', KEYS[1], 'failures') or '0')
if failures <= 0 then
  return 0
end
failures = redis.call('HINCRBY', KEYS[1], 'failures', -1)
if failures < tonumber(ARGV[1]) then
  redis.call('HDEL', KEYS[1], 'until')
elseif ARGV[2] ~= '0' and redis.call('HGET', KEYS[1], 'until') == ARGV[2] then
  if ARGV[3] == '0' then
    redis.call('HDEL', KEYS[1], 'until')
  else
    redis.call('HSET', KEYS[1], 'until', ARGV[3])
  end
end
return failures
