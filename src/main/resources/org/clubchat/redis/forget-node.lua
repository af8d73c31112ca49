-- Removes every connection of a node whose heartbeat expired, as if each had left (leave_club, from
-- leave-club.lua). Does nothing if the node is alive after all. Runs on any node.
-- Leaves a mark, so that a node taken for dead while it lived finds it and puts its members back.
-- KEYS: nodeClubs, nodeAlive, nodes, nodeForgotten
-- ARGV: node, keyPrefix, retentionMs, markTtlMs
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
local prefix = ARGV[1] .. ':'
for _, clubId in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local base = ARGV[2] .. '{' .. clubId .. '}:'
  local club = {base .. 'epoch', base .. 'seq', base .. 'log', base .. 'names', base .. 'conns', base .. 'keys', base .. 'pv',
    base .. 'gone'}
  local all = redis.call('HGETALL', club[5])
  for i = 1, #all, 2 do
    if string.sub(all[i], 1, #prefix) == prefix then
      leave_club(club, base .. 'events', all[i], all[i + 1], ARGV[3])
    end
  end
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[4])
return 1
