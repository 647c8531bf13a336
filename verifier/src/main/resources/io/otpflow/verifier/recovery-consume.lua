-- Spends one recovery code: only the hash that was verified, so a code is used at most once even by
-- concurrent checks, and a code of a set regenerated meanwhile is not spent.
-- KEYS[1]: account hash; ARGV[1]: the code's field; ARGV[2]: the hash that was verified; ARGV[3]: now (ms)
-- Returns 1 when spent, 0 when it was already gone.
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], 'rc_used', ARGV[3])
return 1
