package org.clubchat.it;

import org.clubchat.support.RedisClusterGroup;
import org.clubchat.support.RedisTopology;

/**
 * The cross-node checks on a Redis Cluster of three primaries ({@code redis-cluster://}): every club's
 * keys in one slot, no script across two, and each club's events on a shard channel of its own shard.
 */
class RedisClusterIT extends CrossNodeChecks {
    @Override
    RedisTopology startRedis() throws Exception {
        return RedisClusterGroup.start(0);
    }
}
