-- Removes one connection from a club (leave_club, from leave-club.lua); the node's club index forgets a
-- club it has nobody in.
-- KEYS: epoch, seq, log, names, conns, nodeClubs, keys, presence version, gone, node's conns
-- ARGV: name, connField, channel, retentionMs, clubId, nodeStillThere (1 or 0)
leave_club({KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[7], KEYS[8], KEYS[9], KEYS[10]}, ARGV[3], ARGV[2], ARGV[1], ARGV[4])
if ARGV[6] == '0' then
  redis.call('SREM', KEYS[6], ARGV[5])
end
return 1
