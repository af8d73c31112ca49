-- The first and the last step of removing a node whose heartbeat expired (forget-in-club.lua removes its
-- connections, club by club, in between). Each does nothing, and answers 0, if the node is alive after all.
-- 'begin' leaves a mark first, so that a node taken for dead while it lived finds it at its next beat and
-- puts its members back, however far the removal got. 'end' forgets the node's club index. Every key is
-- the node's, in one hash slot; the list of nodes is another's, and the caller takes the node off it.
-- KEYS: nodeClubs, nodeAlive, nodeForgotten
-- ARGV: step ('begin' or 'end'), markTtlMs
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
if ARGV[1] == 'begin' then
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
else
  redis.call('DEL', KEYS[1])
end
return 1
