package org.clubchat.support;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import java.util.List;

/**
 * Real Redis as club-chat nodes reach it: one server, a Sentinel group, or a Redis Cluster; and what a
 * test reads of it directly (a Redis Cluster overrides these, as its keys and channels live on shards).
 */
public interface RedisTopology extends AutoCloseable {
    /** What a node's {@code CLUBCHAT_REDIS_URI} is set to. */
    String uri();

    /** How many connections subscribe to a club's channel. */
    default long subscribers(String channel) {
        try (RedisClient client = RedisClient.create(uri()); var connection = client.connect()) {
            return connection.sync().pubsubNumsub(channel).get(channel);
        }
    }

    /** The keys that match {@code pattern}. */
    default List<String> keys(String pattern) {
        try (RedisClient client = RedisClient.create(uri()); var connection = client.connect()) {
            return connection.sync().keys(pattern);
        }
    }

    /** Closes every pub/sub connection Redis has (a network blip), as {@code CLIENT KILL TYPE pubsub}. */
    default void killPubSub() {
        try (RedisClient client = RedisClient.create(uri()); var connection = client.connect()) {
            connection.sync().clientKill(KillArgs.Builder.typePubsub());
        }
    }
}
