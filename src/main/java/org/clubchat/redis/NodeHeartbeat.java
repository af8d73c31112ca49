package org.clubchat.redis;

import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.lang.System.Logger.Level;

/**
 * The failure detector. Each node keeps a heartbeat key with a time-to-live; a node that finds another's
 * key gone removes that node's members (presence {@code leave} for names that go), so a dead node's
 * members vanish within {@link RedisClubStore#NODE_TTL} plus one {@link RedisClubStore#HEARTBEAT}. Called
 * on the store's events thread.
 */
final class NodeHeartbeat {
    private static final System.Logger LOG = System.getLogger(NodeHeartbeat.class.getName());

    private final RedisCommands<String, String> redis;
    private final ClubScripts scripts;
    private final String node;

    NodeHeartbeat(RedisCommands<String, String> redis, ClubScripts scripts, String node) {
        this.redis = redis;
        this.scripts = scripts;
        this.node = node;
    }

    /** Renews this node's key and forgets the nodes whose keys expired; throws when Redis cannot answer. */
    void beat() {
        redis.set(ClubKeys.nodeAlive(node), "1", SetArgs.Builder.px(RedisClubStore.NODE_TTL.toMillis()));
        redis.sadd(ClubKeys.nodes(), node);
        for (String other : redis.smembers(ClubKeys.nodes())) {
            if (!other.equals(node) && redis.exists(ClubKeys.nodeAlive(other)) == 0 && scripts.forgetNode(other)) {
                LOG.log(Level.INFO, "node {0} stopped sending heartbeats; its members were removed", other);
            }
        }
    }

    /** Takes this node's key away at once (a clean stop), so that no one waits for it to expire. */
    void stop() {
        redis.del(ClubKeys.nodeAlive(node));
    }
}
