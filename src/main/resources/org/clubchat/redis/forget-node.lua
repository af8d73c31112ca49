-- Removes every connection of a node whose heartbeat expired, as if each had disconnected: presence
-- events go out for names that leave. Does nothing if the node is alive after all. Runs on any node.
-- KEYS: nodeClubs, nodeAlive, nodes
-- ARGV: node, keyPrefix, retentionMs
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
local prefix = ARGV[1] .. ':'
for _, club in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local base = ARGV[2] .. '{' .. club .. '}:'
  local conns, names = base .. 'conns', base .. 'names'
  local all = redis.call('HGETALL', conns)
  for i = 1, #all, 2 do
    if string.sub(all[i], 1, #prefix) == prefix then
      redis.call('HDEL', conns, all[i])
      if redis.call('HINCRBY', names, all[i + 1], -1) <= 0 then
        redis.call('HDEL', names, all[i + 1])
        redis.call('PUBLISH', base .. 'events', cjson.encode({k = 'presence', event = 'leave', name = all[i + 1]}))
      end
    end
  end
  if redis.call('HLEN', conns) == 0 then
    for _, suffix in ipairs({'epoch', 'seq', 'log', 'names'}) do
      redis.call('PEXPIRE', base .. suffix, ARGV[3])
    end
  end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
