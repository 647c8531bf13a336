-- Records what became of a leased send. sent:<provider id> is a fact and is recorded whoever holds
-- the lease (a slow owner whose lease was taken over still sent); every other change (calling,
-- retry:<n>, failed, '' = release) needs the caller to hold the lease.
-- KEYS[1] = otp:sms:{<id>}:<event id>; ARGV[1] = owner token, ARGV[2] = new state, ARGV[3] = lifetime (ms).
-- Returns {'marked', <previous state>}, {'kept', <earlier sent:...>} or {'lost', <current state>}.
local current = redis.call('GET', KEYS[1])
if string.sub(ARGV[2], 1, 5) == 'sent:' then
  if current and string.sub(current, 1, 5) == 'sent:' then
    return {'kept', current}
  end
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return {'marked', current or ''}
end
local token = current and string.match(current, '^lease|([^|]*)|')
if token ~= ARGV[1] then
  return {'lost', current or ''}
end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
elseif ARGV[2] == 'calling' then
  redis.call('SET', KEYS[1], (string.gsub(current, '|claimed|', '|calling|')), 'KEEPTTL')
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return {'marked', current}
