-- One push device's delivery report, then the verification's delivery derived from all its devices.
-- KEYS[1]: verification hash; ARGV[1]: device id; ARGV[2]: reported state; ARGV[3]: reason ('' = none);
-- ARGV[4]: provider ('' = unknown).
-- A device's state (field dv:<device>) moves from queued to sent, delivered or failed:<reason>, and
-- from sent to delivered; nothing else moves it (a device that got the push did get it). The
-- verification is delivered or sent as soon as one device is, failed only when every device failed,
-- else queued; like delivery.lua it only moves forward, so one dead device cannot fail a verification
-- another device received, and each stage is counted once.
-- Returns {0} when the verification as a whole did not change, else
-- {1, previous, tenant, channel, calling code, created, new state}.
local field = 'dv:' .. ARGV[1]
local h = redis.call('HMGET', KEYS[1], 'delivery', 'tenant', 'channel', 'cc', 'created', field)
if not h[1] or not h[6] then
  return {0}
end
local current, new = h[6], ARGV[2]
local moves = (current == 'queued' and (new == 'sent' or new == 'delivered' or new == 'failed' or new == 'undelivered'))
  or (current == 'sent' and new == 'delivered')
if not moves then
  return {0}
end
local value = new
if (new == 'failed' or new == 'undelivered') then
  value = 'failed'
  if ARGV[3] ~= '' then
    value = 'failed:' .. ARGV[3]
  end
end
redis.call('HSET', KEYS[1], field, value)
local all = redis.call('HGETALL', KEYS[1])
local delivered, sent, open = false, false, false
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 3) == 'dv:' then
    local s = all[i + 1]
    if s == 'delivered' then
      delivered = true
    elseif s == 'sent' then
      sent = true
    elseif s == 'queued' then
      open = true
    end
  end
end
local whole = 'queued'
if delivered then
  whole = 'delivered'
elseif sent then
  whole = 'sent'
elseif not open then
  whole = 'failed'
end
local rank = {queued = 0, sent = 1, delivered = 2, undelivered = 2, failed = 2}
if rank[whole] <= (rank[h[1]] or 0) then
  return {0}
end
redis.call('HSET', KEYS[1], 'delivery', whole)
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'provider', ARGV[4])
end
return {1, h[1], h[2] or '', h[3] or '', h[4] or '', h[5] or '', whole}
