-- Marks a verification dispatched (every dispatch event acknowledged) and deletes the sealed push
-- code kept until then for a re-dispatch. Writes only into an existing hash, like set-if-present.lua.
-- KEYS[1]: verification hash. Returns 1 when marked.
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'dispatched', '1')
  redis.call('HDEL', KEYS[1], 'pcode')
  return 1
end
return 0
