-- Sliding-window send limits, checked all together and recorded only when every one passes.
-- KEYS[i]: one sorted set per limit (same tenant hash tag, so one cluster slot)
-- ARGV[1]: now in ms; ARGV[2]: member to record (the verification id)
-- ARGV[2 + 2i - 1], ARGV[2 + 2i]: limit and window (ms) of KEYS[i]
-- Returns {0, 0} when admitted, else {index of the limit that is hit, ms until it admits again}.
local now = tonumber(ARGV[1])
local member = ARGV[2]
local hit, wait = 0, 0
for i = 1, #KEYS do
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= limit then
    -- One more send fits once the entry that makes the count reach the limit leaves the window.
    local entry = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')
    local free_in = tonumber(entry[2]) + window - now
    if free_in > wait then
      hit, wait = i, free_in
    end
  end
end
if hit > 0 then
  return {hit, wait}
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, member)
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 + 2 * i]))
end
return {0, 0}
