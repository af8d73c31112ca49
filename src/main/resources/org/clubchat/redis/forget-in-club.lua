-- Removes at most `most` connections of a dead node from one club, as if each had left (leave_club, from
-- leave-club.lua), reading only the club's index of that node's connections: a club of any size is
-- undone in short steps that never hold Redis for long. Answers how many of the node's connections the
-- club still holds. Every key is the club's, in one hash slot: whether the node is alive after all is
-- asked between the steps (DeadNodes).
-- KEYS: epoch, seq, log, names, conns, keys, presence version, gone, node's conns
-- ARGV: channel, retentionMs, most
local some = redis.call('HRANDFIELD', KEYS[9], tonumber(ARGV[3]), 'WITHVALUES')
for i = 1, #some, 2 do
  leave_club(KEYS, ARGV[1], some[i], some[i + 1], ARGV[2])
end
return redis.call('HLEN', KEYS[9])
