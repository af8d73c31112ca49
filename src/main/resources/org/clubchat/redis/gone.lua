-- Shared by chat.lua and relay.lua: the script loader puts it in front of each.
-- A deleted message leaves the club's stream and holds its seq in the club's gone set (a sorted set,
-- scored by seq), so that readers put a tombstone in its place and seqs stay gapless. Called when an
-- append pushed the stream's oldest entry out: the tombstones below the oldest entry left go too, so
-- the gone set never holds more than the stream's length.
local function forget_gone(log, gone)
  if redis.call('EXISTS', gone) == 0 then
    return
  end
  local oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)[1]
  if oldest then
    redis.call('ZREMRANGEBYSCORE', gone, '-inf', '(' .. string.match(oldest[1], '^(%d+)'))
  end
end
