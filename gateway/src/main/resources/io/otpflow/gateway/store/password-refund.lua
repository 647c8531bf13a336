-- Gives back a failure password-attempt.lua reserved for an attempt whose password was never
-- checked (every hashing slot was busy). Back within its free failures, a counter's wait goes too.
-- KEYS: as password-attempt.lua; ARGV[1]: free per pair, ARGV[2]: free per username
for i = 1, 2 do
  local failures = tonumber(redis.call('HGET', KEYS[i], 'failures') or '0')
  if failures > 0 then
    failures = redis.call('HINCRBY', KEYS[i], 'failures', -1)
    if failures <= tonumber(ARGV[i]) then
      redis.call('HDEL', KEYS[i], 'until')
    end
  end
end
return 1
