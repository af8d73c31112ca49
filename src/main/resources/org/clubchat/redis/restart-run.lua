-- Without the history store: a club whose run Redis holds to a lower seq than a node has handed out (a
-- failover to a replica that had not received the primary's last writes: Redis replicates
-- asynchronously). Nobody holds the lost messages, and giving their seqs again would name two messages
-- with one seq, so the club begins a new run, as after Redis restarted empty; unless it did already
-- (another node found it first).
-- KEYS: epoch, seq, log, keys, gone
-- ARGV: epoch (the run the node handed out), delivered (the highest seq it handed out), newEpoch
if redis.call('GET', KEYS[1]) ~= ARGV[1] or tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then
  return 0
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('SET', KEYS[1], ARGV[3])
return 1
