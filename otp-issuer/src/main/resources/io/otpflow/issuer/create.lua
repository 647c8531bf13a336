-- Writes a new verification hash and its expiry in one step, so no hash is ever left without a TTL.
-- A script rather than MULTI/EXEC: Jedis's cluster client has no transactions, and one key's script
-- runs on the node that owns it. KEYS[1]: verification hash; ARGV[1]: ttl ms; ARGV[2..]: field, value, ...
local fields = {}
for i = 2, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
