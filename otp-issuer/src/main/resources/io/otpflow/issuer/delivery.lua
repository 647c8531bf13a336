-- Moves a verification's delivery state forward only: a late "sent" never overwrites "delivered".
-- KEYS[1]: verification hash; ARGV[1]: new state; ARGV[2]: provider that reported it ('' = unknown).
-- Returns {0} when nothing changed, else {1, previous state, tenant, channel, calling code, created}:
-- what the funnel metrics need, read in the same step, so each stage is counted once per verification.
local rank = {queued = 0, sent = 1, delivered = 2, undelivered = 2, failed = 2}
local h = redis.call('HMGET', KEYS[1], 'delivery', 'tenant', 'channel', 'cc', 'created')
local current = h[1]
if not current then
  return {0}
end
local new = ARGV[1]
if rank[new] == nil or rank[new] <= (rank[current] or 0) then
  return {0}
end
redis.call('HSET', KEYS[1], 'delivery', new)
if ARGV[2] and ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'provider', ARGV[2])
end
return {1, current, h[2] or '', h[3] or '', h[4] or '', h[5] or ''}
