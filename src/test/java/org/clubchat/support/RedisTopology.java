package org.clubchat.support;

/** Real Redis as club-chat nodes reach it: one server, a Sentinel group, or a Redis Cluster. */
public interface RedisTopology extends AutoCloseable {
    /** What a node's {@code CLUBCHAT_REDIS_URI} is set to. */
    String uri();
}
