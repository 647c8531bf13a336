-- Moves a verification's delivery state forward only: a late "sent" never overwrites "delivered".
-- KEYS[1]: verification hash; ARGV[1]: new state. Returns 1 when the state changed.
local rank = {queued = 0, sent = 1, delivered = 2, undelivered = 2, failed = 2}
local current = redis.call('HGET', KEYS[1], 'delivery')
if not current then
  return 0
end
local new = ARGV[1]
if rank[new] == nil or rank[new] <= (rank[current] or 0) then
  return 0
end
redis.call('HSET', KEYS[1], 'delivery', new)
return 1
