-- Records the outcome of a claimed send or withdrawal.
-- KEYS[1] = otp:push:{<id>}; ARGV[1] = claim field, ARGV[2] = its new state (sent:<id>, failed:<reason>),
-- ARGV[3] = device record field (d:<device>) or '' , ARGV[4] = the record, ARGV[5] = lifetime (ms).
-- Returns the verification's decided value, or nil: a send accepted after the verdict's withdrawals
-- were planned must withdraw itself.
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[1], ARGV[3], ARGV[4])
end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[5]) then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[5]))
end
return redis.call('HGET', KEYS[1], 'decided')
