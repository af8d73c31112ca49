-- Removes at most `most` connections of a dead node from one club, as if each had left (leave_club, from
-- leave-club.lua), reading only the club's index of that node's connections: a club of any size is
-- undone in short steps that never hold Redis for long. Answers how many of the node's connections the
-- club still holds, or -1 (nothing done) if the node is alive after all.
-- KEYS: epoch, seq, log, names, conns, keys, presence version, gone, node's conns, nodeAlive
-- ARGV: channel, retentionMs, most
if redis.call('EXISTS', KEYS[10]) == 1 then
  return -1
end
local club = {KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]}
local some = redis.call('HRANDFIELD', KEYS[9], tonumber(ARGV[3]), 'WITHVALUES')
for i = 1, #some, 2 do
  leave_club(club, ARGV[1], some[i], some[i + 1], ARGV[2])
end
return redis.call('HLEN', KEYS[9])
