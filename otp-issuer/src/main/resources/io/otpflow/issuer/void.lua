-- Voids a pending verification because a newer one went to the same destination.
-- KEYS[1]: verification hash. Returns 1 when it was pending and is now canceled.
if redis.call('HGET', KEYS[1], 'status') == 'pending' then
  redis.call('HSET', KEYS[1], 'status', 'canceled')
  redis.call('HDEL', KEYS[1], 'mac')
  return 1
end
return 0
