-- Adds one connection to a club, atomically: the club's epoch (a fresh run drops an old seq, log and
-- keys), its seq, the connection and its name, and a presence event when the name is new to the club.
-- Answers with the seq of the oldest message history holds (seq + 1 when it holds none).
-- Without an epochCandidate (the history store gives the club's run and seqs), a club Redis does not
-- hold is not begun here: the epoch answered is ''.
-- Presence events carry the club's presence version (v), which every change of its names moves on, so
-- that a node can tell a stale reading of the names from a newer event. Answers with the version too, and
-- with the club's names only when readsNames is 1 (a node's first join: later joins cost the same
-- whatever the club's size).
-- The connection also goes into the club's index of this node's connections, so that the node's death
-- is undone by reading only its own (forget-in-club.lua). Every key is the club's, in one hash slot.
-- KEYS: epoch, seq, log, names, conns, keys, presence version, gone, node's conns
-- ARGV: epochCandidate, name, connField, channel, readsNames
if ARGV[1] ~= '' and redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[6], KEYS[8])
end
local epoch = redis.call('GET', KEYS[1]) or ''
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
redis.call('HSET', KEYS[9], ARGV[3], ARGV[2])
if redis.call('HSET', KEYS[5], ARGV[3], ARGV[2]) == 1 then
  if redis.call('HINCRBY', KEYS[4], ARGV[2], 1) == 1 then
    redis.call(PUBLISH, ARGV[4], cjson.encode({k = 'presence', event = 'join', name = ARGV[2],
      v = redis.call('INCR', KEYS[7])}))
  end
end
for _, key in ipairs({KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]}) do
  redis.call('PERSIST', key)
end
local oldest = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)[1]
local firstSeq = oldest and tonumber(string.match(oldest[1], '^(%d+)')) or seq + 1
-- A deleted message holds its seq as a tombstone in the gone set.
local oldestGone = redis.call('ZRANGE', KEYS[8], 0, 0)[1]
if oldestGone and tonumber(oldestGone) < firstSeq then
  firstSeq = tonumber(oldestGone)
end
return {epoch, seq, ARGV[5] == '1' and redis.call('HKEYS', KEYS[4]) or {}, firstSeq, tonumber(redis.call('GET', KEYS[7]) or '0')}
