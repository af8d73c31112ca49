-- Passes on a message the history store has committed, with the seq and run the store gave it, to every
-- node with members in the club, and keeps the club's run, its highest seq and its newest messages (a
-- cache in front of the store) in Redis. Nodes commit in turn and relay afterwards, so relays may come
-- out of seq order: one below the highest seq is published but not added to the stream, and a node
-- that needs it reads it from the store. Without a message (ARGV[4] absent) it only puts the run and
-- seq back, as after Redis restarted empty. A club nobody is in keeps its keys for the retention time.
-- KEYS: epoch, seq, log, conns, gone
-- ARGV: epoch, seq, retentionMs, historySize, ts, from, message, node, conn, requestId, attempt, channel
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[5])
  redis.call('SET', KEYS[1], ARGV[1])
end
local seq = tonumber(ARGV[2])
local newest = seq > tonumber(redis.call('GET', KEYS[2]) or '0')
if newest then
  redis.call('SET', KEYS[2], seq)
end
if ARGV[4] then
  if newest then
    local trimming = redis.call('XLEN', KEYS[3]) >= tonumber(ARGV[4])
    redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[4], seq .. '-0', 'ts', ARGV[5], 'from', ARGV[6], 'message', ARGV[7],
      'node', ARGV[8], 'conn', ARGV[9], 'req', ARGV[10], 'att', ARGV[11], 'key', '')
    if trimming then
      forget_gone(KEYS[3], KEYS[5])
    end
  end
  redis.call(PUBLISH, ARGV[12], cjson.encode({k = 'chat', seq = seq, epoch = ARGV[1], ts = ARGV[5], from = ARGV[6],
    message = ARGV[7], node = ARGV[8], conn = ARGV[9], req = ARGV[10], att = ARGV[11]}))
end
if redis.call('HLEN', KEYS[4]) == 0 then
  for _, key in ipairs({KEYS[1], KEYS[2], KEYS[3], KEYS[5]}) do
    redis.call('PEXPIRE', key, ARGV[3])
  end
end
return seq
