-- One change of an account's registry, applied only to the version it was computed from, so two
-- concurrent changes of one account cannot both apply (the loser reads again and retries).
-- KEYS[1]: account hash
-- ARGV[1]: expected version ('0' for an account never written); ARGV[2]: the account id in clear;
-- ARGV[3]: number of fields to set, then that many field/value pairs; every further ARGV is a field to delete.
-- Returns 1 when applied, 0 when the version moved on.
local version = redis.call('HGET', KEYS[1], 'ver') or '0'
if version ~= ARGV[1] then
  return 0
end
local sets = tonumber(ARGV[3])
local i = 4
for _ = 1, sets do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  i = i + 2
end
while i <= #ARGV do
  redis.call('HDEL', KEYS[1], ARGV[i])
  i = i + 1
end
redis.call('HSET', KEYS[1], 'account', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'ver', 1)
return 1
