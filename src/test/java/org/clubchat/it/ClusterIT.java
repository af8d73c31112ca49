package org.clubchat.it;

import org.clubchat.support.RedisProcess;
import org.clubchat.support.RedisTopology;

/** The cross-node checks on one redis-server, as most clusters of club-chat run. */
class ClusterIT extends CrossNodeChecks {
    @Override
    RedisTopology startRedis() throws Exception {
        return RedisProcess.start();
    }
}
