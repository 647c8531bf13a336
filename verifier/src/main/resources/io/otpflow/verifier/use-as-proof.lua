-- Uses a recently approved verification as proof for one change of its account's factors, once.
-- KEYS[1]: verification hash; ARGV: tenant, account, now (ms), longest age of the approval (ms)
-- Returns 1 when it may serve as proof (and marks it used), else 0.
local h = redis.call('HMGET', KEYS[1], 'tenant', 'account', 'status', 'approved_at', 'proof_used')
if h[1] ~= ARGV[1] or h[2] ~= ARGV[2] or h[3] ~= 'approved' or not h[4] or h[5] then
  return 0
end
if tonumber(ARGV[3]) - tonumber(h[4]) > tonumber(ARGV[4]) then
  return 0
end
redis.call('HSET', KEYS[1], 'proof_used', ARGV[3])
return 1
