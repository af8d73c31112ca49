-- Removes one connection from a club (leave_club, from leave-club.lua).
-- KEYS: epoch, seq, log, names, conns, keys, presence version, gone, node's conns
-- ARGV: name, connField, channel, retentionMs
leave_club(KEYS, ARGV[3], ARGV[2], ARGV[1], ARGV[4])
return 1
