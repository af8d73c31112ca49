package org.clubchat.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How a node reaches Redis, by the form of {@code CLUBCHAT_REDIS_URI}: one Redis or a primary that
 * Sentinel watches ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}: Lettuce's
 * {@link RedisClient}), or a Redis Cluster ({@code redis-cluster://host:port[,host:port…]}, the seed nodes:
 * {@link RedisClusterClient}, which follows the slots). The club work sees the same commands either way
 * ({@link RedisClusterAsyncCommands}: every club script touches the keys of one club, in one hash slot);
 * only the club channels differ: on a Redis Cluster they are shard channels (SSUBSCRIBE, and the scripts
 * SPUBLISH), so a club's messages go only to the shard that holds the club.
 */
abstract sealed class RedisLink implements AutoCloseable permits RedisLink.Single, RedisLink.Cluster {
    static final String CLUSTER_SCHEME = "redis-cluster://";

    /** What a pub/sub connection hears: messages, subscriptions confirmed, and shard channels Redis dropped. */
    interface Listener {
        void message(String channel, String message);

        void subscribed(String channel);

        /** Redis unsubscribed a club channel by itself (its slot moved to another shard). */
        void dropped(String channel);
    }

    /** The node's pub/sub connection: the broadcast channel, and the club channels. */
    interface PubSub extends AutoCloseable {
        CompletableFuture<Void> subscribeClub(String channel);

        void unsubscribeClub(String channel);

        @Override
        void close();
    }

    /**
     * Connects the command and heartbeat connections at once (a node that cannot reach Redis does not
     * start); every command gives up after {@code timeout}, and while one Redis is away its commands fail
     * at once rather than queue.
     */
    static RedisLink connect(String uri, ClientResources resources, Duration timeout) {
        if (uri.startsWith(CLUSTER_SCHEME)) {
            return new Cluster(seeds(uri, timeout), resources, timeout);
        }
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(timeout);
        return new Single(redisUri, resources, timeout);
    }

    /** The seed nodes of a {@code redis-cluster://[password@]host:port[,host:port…]} URI, each as {@code redis://}. */
    static List<RedisURI> seeds(String uri, Duration timeout) {
        String rest = uri.substring(CLUSTER_SCHEME.length());
        int at = rest.lastIndexOf('@');
        String credentials = at < 0 ? "" : rest.substring(0, at + 1);
        String hosts = at < 0 ? rest : rest.substring(at + 1);
        return Arrays.stream(hosts.split(",")).map(host -> {
            RedisURI seed = RedisURI.create("redis://" + credentials + host.strip());
            seed.setTimeout(timeout);
            return seed;
        }).toList();
    }

    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> commandsConnection;
    private final RedisClusterAsyncCommands<String, String> commands;
    private final StatefulConnection<String, String> heartbeatConnection;
    private final RedisClusterCommands<String, String> heartbeat;
    private final RedisClusterAsyncCommands<String, String> heartbeatAsync;

    /** A client and the two connections it opened: one for the club work, one for the heartbeat. */
    record Opened(AbstractRedisClient client, StatefulConnection<String, String> commandsConnection,
            RedisClusterAsyncCommands<String, String> commands, StatefulConnection<String, String> heartbeatConnection,
            RedisClusterCommands<String, String> heartbeat, RedisClusterAsyncCommands<String, String> heartbeatAsync) {
    }

    private RedisLink(Opened opened) {
        client = opened.client();
        commandsConnection = opened.commandsConnection();
        commands = opened.commands();
        heartbeatConnection = opened.heartbeatConnection();
        heartbeat = opened.heartbeat();
        heartbeatAsync = opened.heartbeatAsync();
    }

    /** The club work's commands, on one connection (pipelined; on a Redis Cluster, one per shard). */
    RedisClusterAsyncCommands<String, String> commands() {
        return commands;
    }

    /** The heartbeat's commands, on a connection of its own. */
    RedisClusterCommands<String, String> heartbeatCommands() {
        return heartbeat;
    }

    /** The same connection's, for the scripts the heartbeat's thread runs ({@link DeadNodes}). */
    RedisClusterAsyncCommands<String, String> heartbeatAsync() {
        return heartbeatAsync;
    }

    /** Whether commands can be sent now. */
    boolean connected() {
        return commandsConnection.isOpen();
    }

    /** Whether club channels are shard channels (a Redis Cluster). */
    abstract boolean sharded();

    /** Connects the pub/sub connection and subscribes to {@code broadcast} at once. */
    abstract PubSub pubSub(String broadcast, Listener listener);

    /** Told of every connection made to one Redis (the first ones and each reconnect); not on a Redis Cluster. */
    abstract void onConnected(RedisConnectionStateListener listener);

    /** Told when a Redis Cluster's topology changed (slots moved, a replica promoted); never for one Redis. */
    abstract void onTopologyChanged(Runnable changed);

    @Override
    public void close() {
        commandsConnection.close();
        heartbeatConnection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    /** The club channels of a pub/sub connection: shard channels or plain ones. */
    static PubSub clubChannels(StatefulRedisPubSubConnection<String, String> connection, boolean sharded) {
        return new PubSub() {
            @Override
            public CompletableFuture<Void> subscribeClub(String channel) {
                return (sharded ? connection.async().ssubscribe(channel) : connection.async().subscribe(channel)).toCompletableFuture();
            }

            @Override
            public void unsubscribeClub(String channel) {
                if (sharded) {
                    connection.async().sunsubscribe(channel);
                } else {
                    connection.async().unsubscribe(channel);
                }
            }

            @Override
            public void close() {
                connection.close();
            }
        };
    }

    /** One Redis, or the primary Sentinel names. */
    static final class Single extends RedisLink {
        private final RedisClient client;

        Single(RedisURI uri, ClientResources resources, Duration timeout) {
            this(RedisClient.create(resources, uri), timeout);
        }

        private Single(RedisClient client, Duration timeout) {
            super(opened(client, timeout));
            this.client = client;
        }

        private static Opened opened(RedisClient client, Duration timeout) {
            client.setOptions(ClientOptions.builder().autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(timeout)).build());
            StatefulRedisConnection<String, String> commands = client.connect();
            StatefulRedisConnection<String, String> heartbeat = client.connect();
            return new Opened(client, commands, commands.async(), heartbeat, heartbeat.sync(), heartbeat.async());
        }

        @Override
        boolean sharded() {
            return false;
        }

        @Override
        PubSub pubSub(String broadcast, Listener listener) {
            StatefulRedisPubSubConnection<String, String> connection = client.connectPubSub();
            connection.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void subscribed(String channel, long count) {
                    listener.subscribed(channel);
                }

                @Override
                public void message(String channel, String message) {
                    listener.message(channel, message);
                }
            });
            connection.sync().subscribe(broadcast);
            return clubChannels(connection, false);
        }

        @Override
        void onConnected(RedisConnectionStateListener listener) {
            client.addListener(listener);
        }

        @Override
        void onTopologyChanged(Runnable changed) {
        }
    }

    /** A Redis Cluster: the client follows its slots, and refreshes its view every few seconds and on redirections. */
    static final class Cluster extends RedisLink {
        private static final Duration TOPOLOGY_REFRESH = Duration.ofSeconds(5);
        private final RedisClusterClient client;

        Cluster(List<RedisURI> seeds, ClientResources resources, Duration timeout) {
            this(RedisClusterClient.create(resources, seeds), timeout);
        }

        private Cluster(RedisClusterClient client, Duration timeout) {
            super(opened(client, timeout));
            this.client = client;
        }

        private static Opened opened(RedisClusterClient client, Duration timeout) {
            // Connections to the shards are made when first needed, and one being made would refuse its
            // first commands: they wait instead, each still failing after the timeout.
            client.setOptions(ClusterClientOptions.builder().autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enablePeriodicRefresh(TOPOLOGY_REFRESH)
                            .enableAllAdaptiveRefreshTriggers().build())
                    .build());
            StatefulRedisClusterConnection<String, String> commands = client.connect();
            StatefulRedisClusterConnection<String, String> heartbeat = client.connect();
            return new Opened(client, commands, commands.async(), heartbeat, heartbeat.sync(), heartbeat.async());
        }

        @Override
        boolean sharded() {
            return true;
        }

        @Override
        PubSub pubSub(String broadcast, Listener listener) {
            StatefulRedisClusterPubSubConnection<String, String> connection = client.connectPubSub();
            // A shard channel's messages come on the connection to the node that holds its slot.
            connection.setNodeMessagePropagation(true);
            connection.addListener(new RedisClusterPubSubAdapter<>() {
                @Override
                public void message(RedisClusterNode node, String channel, String message) {
                    listener.message(channel, message);
                }

                @Override
                public void smessage(RedisClusterNode node, String channel, String message) {
                    listener.message(channel, message);
                }

                @Override
                public void ssubscribed(RedisClusterNode node, String channel, long count) {
                    listener.subscribed(channel);
                }

                @Override
                public void sunsubscribed(RedisClusterNode node, String channel, long count) {
                    listener.dropped(channel);
                }
            });
            connection.sync().subscribe(broadcast);
            return clubChannels(connection, true);
        }

        /**
         * Nothing: the client connects every few seconds to read the topology, so a connection made says
         * nothing here; what changed is told by {@link #onTopologyChanged}.
         */
        @Override
        void onConnected(RedisConnectionStateListener listener) {
        }

        @Override
        void onTopologyChanged(Runnable changed) {
            client.getResources().eventBus().get().filter(ClusterTopologyChangedEvent.class::isInstance)
                    .subscribe(event -> changed.run());
        }
    }
}
