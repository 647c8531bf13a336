-- Marks a verification decided (the first verdict wins) and lists the devices whose push was accepted.
-- KEYS[1] = otp:push:{<id>}; ARGV[1] = '<answering device or ->|<outcome>', ARGV[2] = lifetime (ms).
-- Returns {decided, field1, record1, field2, record2, ...} with the d:<device> records.
redis.call('HSETNX', KEYS[1], 'decided', ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
end
local out = {redis.call('HGET', KEYS[1], 'decided')}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 'd:' then
    out[#out + 1] = all[i]
    out[#out + 1] = all[i + 1]
  end
end
return out
