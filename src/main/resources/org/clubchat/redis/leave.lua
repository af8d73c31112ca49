-- Removes one connection from a club; a presence event when its name leaves the club; the club's keys
-- start their retention time when it empties; the node's club index forgets a club it has nobody in.
-- KEYS: epoch, seq, log, names, conns, nodeClubs
-- ARGV: name, connField, channel, retentionMs, clubId, nodeStillThere (1 or 0)
if redis.call('HDEL', KEYS[5], ARGV[2]) == 1 then
  if redis.call('HINCRBY', KEYS[4], ARGV[1], -1) <= 0 then
    redis.call('HDEL', KEYS[4], ARGV[1])
    redis.call('PUBLISH', ARGV[3], cjson.encode({k = 'presence', event = 'leave', name = ARGV[1]}))
  end
end
if redis.call('HLEN', KEYS[5]) == 0 then
  for i = 1, 4 do
    redis.call('PEXPIRE', KEYS[i], ARGV[4])
  end
end
if ARGV[6] == '0' then
  redis.call('SREM', KEYS[6], ARGV[5])
end
return 1
