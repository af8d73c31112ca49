package org.clubchat.it;

import org.clubchat.support.RedisTopology;
import org.clubchat.support.SentinelGroup;

/**
 * The cross-node checks with the nodes finding Redis through three sentinels ({@code redis-sentinel://},
 * with a password on the data nodes); {@link SentinelFailoverIT} kills the primary.
 */
class SentinelClusterIT extends CrossNodeChecks {
    @Override
    RedisTopology startRedis() throws Exception {
        return SentinelGroup.start(SentinelGroup.SENTINEL_DEFAULT);
    }
}
