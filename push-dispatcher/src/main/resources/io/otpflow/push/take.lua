-- Takes a due retry: only the caller that finds the claim at retry:<attempt> gets to send (claim
-- becomes sending), so two workers, or one that polled twice, send once.
-- KEYS[1] = otp:push:{<id>}; ARGV[1] = claim field, ARGV[2] = attempt,
-- ARGV[3] = '1' when a decided verification must not be sent any more.
-- Returns {'take', event}, {'decided', event}, {'sent', event, state} (accepted, its report still
-- to publish) or {'stale', ''} (nothing to do: done, in flight elsewhere, or expired).
local current = redis.call('HGET', KEYS[1], ARGV[1])
local event = redis.call('HGET', KEYS[1], 'r:' .. ARGV[1])
if not event then
  return {'stale', ''}
end
if current == 'retry:' .. ARGV[2] then
  if ARGV[3] == '1' and redis.call('HEXISTS', KEYS[1], 'decided') == 1 then
    redis.call('HSET', KEYS[1], ARGV[1], 'failed:decided')
    return {'decided', event}
  end
  redis.call('HSET', KEYS[1], ARGV[1], 'sending')
  return {'take', event}
end
if current and string.sub(current, 1, 5) == 'sent:' then
  return {'sent', event, current}
end
return {'stale', ''}
