-- Shared by leave.lua and forget-node.lua: the script loader puts it in front of each, so a connection
-- leaves a club the same way whether it left itself or its node died.
-- Takes one connection out of a club; a presence event when its name's last connection goes; the club's
-- keys start their retention time when it empties, or go at once if it never had a message.
-- club: {epoch, seq, log, names, conns, keys, presence version, gone, the connection's node's conns} keys;
-- channel: the club's events channel
local function leave_club(club, channel, connField, name, retentionMs)
  redis.call('HDEL', club[9], connField)
  if redis.call('HDEL', club[5], connField) == 1 then
    if redis.call('HINCRBY', club[4], name, -1) <= 0 then
      redis.call('HDEL', club[4], name)
      redis.call(PUBLISH, channel, cjson.encode({k = 'presence', event = 'leave', name = name,
        v = redis.call('INCR', club[7])}))
    end
  end
  if redis.call('HLEN', club[5]) == 0 then
    if redis.call('EXISTS', club[2]) == 0 then
      -- Nobody ever wrote in it: nothing is worth keeping, and a join and a leave keep no club alive.
      redis.call('DEL', club[1], club[4], club[6], club[7])
      return
    end
    for _, key in ipairs({club[1], club[2], club[3], club[4], club[6], club[7], club[8]}) do
      redis.call('PEXPIRE', key, retentionMs)
    end
  end
end
