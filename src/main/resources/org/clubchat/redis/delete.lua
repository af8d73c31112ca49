-- Deletes message ARGV[1] of a club (docs/protocol.md, "Deleting"): its stream entry goes, text, name and
-- sender with it, and its seq joins the gone set (gone.lua); every node with members in the club is told.
-- Without the history store Redis decides: a sender other than ARGV[2] ('' for an operator) is
-- refused, a seq the club never had or no longer holds is not found. With the store (ARGV[5] = '1'),
-- the store has decided already and Redis follows: the entry goes if Redis holds it, and the nodes are
-- told either way.
-- Answers 'deleted', 'already', 'forbidden' or 'not_found'.
-- KEYS: epoch, seq, log, gone
-- ARGV: seq, sender, channel, requester (node:connection, not told again), storeDecided
local seq = tonumber(ARGV[1])
local entry = redis.call('XRANGE', KEYS[3], ARGV[1] .. '-0', ARGV[1] .. '-0')[1]
local function gone()
  redis.call('XDEL', KEYS[3], ARGV[1] .. '-0')
  redis.call('ZADD', KEYS[4], seq, seq)
  local ttl = redis.call('PTTL', KEYS[3])
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[4], ttl)
  end
end
local function tell()
  redis.call(PUBLISH, ARGV[3], cjson.encode({k = 'deleted', seq = seq, epoch = redis.call('GET', KEYS[1]) or '',
    by = ARGV[4]}))
end
if ARGV[5] == '1' then
  if entry then
    gone()
  end
  tell()
  return 'deleted'
end
if seq < 1 or seq > tonumber(redis.call('GET', KEYS[2]) or '0') then
  return 'not_found'
end
if not entry then
  if redis.call('ZSCORE', KEYS[4], ARGV[1]) then
    return 'already'
  end
  return 'not_found'
end
if ARGV[2] ~= '' then
  local fields = entry[2]
  local sender
  for i = 1, #fields, 2 do
    if fields[i] == 'sender' then
      sender = fields[i + 1]
    end
  end
  if sender ~= ARGV[2] then
    return 'forbidden'
  end
end
gone()
tell()
return 'deleted'
