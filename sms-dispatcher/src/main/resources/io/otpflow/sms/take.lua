-- Takes a retry queue entry for attempt ARGV[1]: the claim must still say retry:<attempt>, or be a
-- lease whose owner died (then it is taken over). Two workers, or one that polled twice, send once.
-- KEYS[1] = otp:sms:{<id>}:<event id>; ARGV[1] = attempt, ARGV[2] = owner token, ARGV[3] = now (ms),
-- ARGV[4] = lease (ms). Lease format: see claim.lua.
-- Returns {'take', ''}, {'takeover', <the expired lease>}, {'busy', <until ms>} (a live lease: look
-- again then), {'sent', <provider id>} (report it again) or {'done', ''} (failed, gone, or another
-- attempt's entry).
local current = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[3])
local function lease(attempt)
  return 'lease|' .. ARGV[2] .. '|' .. (now + tonumber(ARGV[4])) .. '|claimed|' .. attempt
end
if not current then
  return {'done', ''}
end
if current == 'retry:' .. ARGV[1] then
  redis.call('SET', KEYS[1], lease(ARGV[1]), 'KEEPTTL')
  return {'take', ''}
end
if string.sub(current, 1, 5) == 'sent:' then
  return {'sent', string.sub(current, 6)}
end
if current == 'sending' then
  redis.call('SET', KEYS[1], lease(ARGV[1]), 'KEEPTTL')
  return {'takeover', 'lease||0|calling|' .. ARGV[1]}
end
local _, untilMs, _, attempt = string.match(current, '^lease|([^|]*)|(%d+)|(%a+)|(%d+)$')
if untilMs then
  if tonumber(untilMs) > now then
    return {'busy', untilMs}
  end
  redis.call('SET', KEYS[1], lease(math.max(tonumber(attempt), tonumber(ARGV[1]))), 'KEEPTTL')
  return {'takeover', current}
end
return {'done', ''}
