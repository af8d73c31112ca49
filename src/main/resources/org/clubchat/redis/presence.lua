-- The club's presence version and its names, read together, so that a node can tell whether the
-- reading is newer than the presence events it has already applied.
-- KEYS: presence version, names
return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('HKEYS', KEYS[2])}
