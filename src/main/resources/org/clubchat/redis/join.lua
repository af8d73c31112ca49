-- Adds one connection to a club, atomically: the club's epoch (a fresh run drops an old seq and log),
-- its seq, the connection and its name, and a presence event when the name is new to the club.
-- KEYS: epoch, seq, log, names, conns, nodeClubs
-- ARGV: epochCandidate, name, connField, channel, clubId
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('DEL', KEYS[2], KEYS[3])
end
local epoch = redis.call('GET', KEYS[1])
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('HSET', KEYS[5], ARGV[3], ARGV[2]) == 1 then
  if redis.call('HINCRBY', KEYS[4], ARGV[2], 1) == 1 then
    redis.call('PUBLISH', ARGV[4], cjson.encode({k = 'presence', event = 'join', name = ARGV[2]}))
  end
end
for i = 1, 5 do
  redis.call('PERSIST', KEYS[i])
end
redis.call('SADD', KEYS[6], ARGV[5])
return {epoch, seq, redis.call('HKEYS', KEYS[4])}
