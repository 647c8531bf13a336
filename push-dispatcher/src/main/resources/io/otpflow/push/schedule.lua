-- Parks a claimed send or withdrawal for its next attempt: the claim says retry:<attempt> and the
-- event (sealed token and code only) waits in r:<claim field>. The caller then adds the member to
-- the retry queue (another key, so another script: Redis Cluster keeps one script to one slot).
-- KEYS[1] = otp:push:{<id>}; ARGV[1] = claim field, ARGV[2] = attempt, ARGV[3] = event, ARGV[4] = lifetime (ms).
redis.call('HSET', KEYS[1], ARGV[1], 'retry:' .. ARGV[2], 'r:' .. ARGV[1], ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
end
return 1
