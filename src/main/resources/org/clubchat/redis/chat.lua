-- Takes the club's next seq for a message, appends it to the club's log (capped at the history size)
-- and publishes it to every node with members there: one atomic step, so seqs stay gapless and every
-- node sees them in order. A club nobody is in keeps it for the retention time.
-- Idempotent twice over. The receipt (per attempt, or per sender and key when the client gave a key)
-- makes a command sent twice (Lettuce resends what was in flight when a connection broke) store the
-- message once, and lets a node that lost the answer ask for it. A client's key is also kept in the
-- club's key hash while its message is in history (the receipt keeps it for at least 10 minutes), so a
-- resend with that key is answered with the original seq and `duplicate` (docs/protocol.md).
-- The entry keeps its sender (whose keys it uses), who alone may delete it (delete.lua).
-- KEYS: epoch, seq, log, names, conns, receipt, keys, gone
-- ARGV: epochCandidate, historySize, ts, from, message, node, conn, requestId, channel, retentionMs,
--       attempt, receiptTtlMs, keyId ('' when the client gave no key), sender
local stored = redis.call('GET', KEYS[6])
if not stored and ARGV[13] ~= '' then
  stored = redis.call('HGET', KEYS[7], ARGV[13])
end
if stored then
  return {tonumber(stored), redis.call('GET', KEYS[1]) or '', 1}
end
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[7], KEYS[8])
end
local epoch = redis.call('GET', KEYS[1])
local seq = redis.call('INCR', KEYS[2])
-- The keys of the messages this append pushes out of history leave the hash; their receipts keep them
-- for the rest of their 10 minutes.
local leaving = redis.call('XLEN', KEYS[3]) - tonumber(ARGV[2]) + 1
if leaving > 0 then
  for _, entry in ipairs(redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', leaving)) do
    local fields = entry[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'key' and fields[i + 1] ~= '' then
        redis.call('HDEL', KEYS[7], fields[i + 1])
      end
    end
  end
end
redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[2], seq .. '-0', 'ts', ARGV[3], 'from', ARGV[4], 'message', ARGV[5],
  'node', ARGV[6], 'conn', ARGV[7], 'req', ARGV[8], 'att', ARGV[11], 'key', ARGV[13], 'sender', ARGV[14])
if leaving > 0 then
  forget_gone(KEYS[3], KEYS[8])
end
redis.call(PUBLISH, ARGV[9], cjson.encode({k = 'chat', seq = seq, epoch = epoch, ts = ARGV[3], from = ARGV[4],
  message = ARGV[5], node = ARGV[6], conn = ARGV[7], req = ARGV[8], att = ARGV[11]}))
if ARGV[13] ~= '' then
  redis.call('HSET', KEYS[7], ARGV[13], seq)
end
redis.call('SET', KEYS[6], seq, 'PX', ARGV[12])
if redis.call('HLEN', KEYS[5]) == 0 then
  for _, key in ipairs({KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[7], KEYS[8]}) do
    redis.call('PEXPIRE', key, ARGV[10])
  end
end
return {seq, epoch, 0}
