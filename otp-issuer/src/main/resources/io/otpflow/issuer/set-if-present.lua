-- Sets one field of an existing hash; does nothing when the hash is gone (expired), so no stray
-- hash without a TTL is ever created. KEYS[1]: hash; ARGV[1]: field; ARGV[2]: value. Returns 1 when set.
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
