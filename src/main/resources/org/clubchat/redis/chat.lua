-- Takes the club's next seq for a message, appends it to the club's log (capped at the history size)
-- and publishes it to every node with members there: one atomic step, so seqs stay gapless and every
-- node sees them in order. A club nobody is in keeps it for the retention time.
-- The receipt makes the step idempotent: a command sent twice (Lettuce resends what was in flight when
-- a connection broke) stores the message once, and a node that lost the answer asks the receipt.
-- KEYS: epoch, seq, log, names, conns, receipt
-- ARGV: epochCandidate, historySize, ts, from, message, node, conn, requestId, channel, retentionMs,
--       attempt, receiptTtlMs
local stored = redis.call('GET', KEYS[6])
if stored then
  return {tonumber(stored), redis.call('GET', KEYS[1]) or ''}
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('DEL', KEYS[2], KEYS[3])
end
local epoch = redis.call('GET', KEYS[1])
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[2], seq .. '-0', 'ts', ARGV[3], 'from', ARGV[4], 'message', ARGV[5],
  'node', ARGV[6], 'conn', ARGV[7], 'req', ARGV[8], 'att', ARGV[11])
redis.call('PUBLISH', ARGV[9], cjson.encode({k = 'chat', seq = seq, epoch = epoch, ts = ARGV[3], from = ARGV[4],
  message = ARGV[5], node = ARGV[6], conn = ARGV[7], req = ARGV[8], att = ARGV[11]}))
redis.call('SET', KEYS[6], seq, 'PX', ARGV[12])
if redis.call('HLEN', KEYS[5]) == 0 then
  for i = 1, 4 do
    redis.call('PEXPIRE', KEYS[i], ARGV[10])
  end
end
return {seq, epoch}
