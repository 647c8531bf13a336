-- Claims an Idempotency-Key for a verification, or returns who holds it.
-- KEYS[1]: idempotency hash; ARGV[1]: verification id; ARGV[2]: request fingerprint; ARGV[3]: ttl ms;
-- ARGV[4]: now (ms), kept as the claim time
-- Returns {'claimed'} or {'held', verification id, fingerprint}.
local held = redis.call('HMGET', KEYS[1], 'vid', 'fp')
if held[1] then
  return {'held', held[1], held[2]}
end
redis.call('HSET', KEYS[1], 'vid', ARGV[1], 'fp', ARGV[2], 'at', ARGV[4])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return {'claimed'}
