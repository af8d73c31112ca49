package org.clubchat.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.clubchat.club.ClubStore;
import org.clubchat.club.ClubView;
import org.clubchat.club.Member;
import org.clubchat.club.Membership;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;

/**
 * Clubs shared by several nodes through Redis. Seq, epoch, history (a capped stream per club) and who
 * is in each club live in Redis, changed only by Lua scripts ({@link ClubScripts}), each one atomic
 * step; every accepted message is published on its club's channel. A node subscribes to the channels
 * of the clubs its own members are in (one channel per club, so a node receives nothing for clubs it
 * has nobody in) and hands what arrives to its local members ({@link RedisClub}).
 *
 * <p>Threading: everything that touches a club's local state runs on the single {@code events}
 * thread ({@code clubchat-redis}), in submission order — joins, chats, leaves, published messages and
 * the heartbeat alike — so a club's frames reach local members in seq order and a joiner's replay meets
 * live delivery exactly once. Redis calls made there are synchronous and bounded by the command
 * timeout. {@code local} is a concurrent map so that {@link #size} can read it from any thread; it
 * changes only on {@code events}. Lettuce runs its own I/O threads besides.
 */
public final class RedisClubStore implements ClubStore {
    /** How long a node's heartbeat key lives; a node whose key is gone is taken for dead. */
    public static final Duration NODE_TTL = Duration.ofSeconds(5);
    /** How often a node renews its key, checks on the others and catches up with missed messages. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RECONNECT_AT_MOST = Duration.ofSeconds(2);
    private static final System.Logger LOG = System.getLogger(RedisClubStore.class.getName());

    private final String node = ClubScripts.newId();
    private final ProtocolCodec codec;
    private final Metrics metrics;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final ClubScripts scripts;
    private final NodeHeartbeat heartbeat;
    private final LeaveRetries leaveRetries;
    private final Availability availability = new Availability();
    private final ExecutorService events = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "clubchat-redis");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, RedisClub> local = new ConcurrentHashMap<>();

    /** Connects at once: a node that cannot reach Redis at start does not start. */
    public RedisClubStore(String uri, int historySize, Duration retention, ProtocolCodec codec, InstantSource clock, Metrics metrics) {
        this.codec = codec;
        this.metrics = metrics;
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(COMMAND_TIMEOUT);
        // Reconnect quickly once Redis is back: at most 2 s between attempts instead of Lettuce's 30 s.
        resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), RECONNECT_AT_MOST, 2, TimeUnit.MILLISECONDS))
                .build();
        client = RedisClient.create(resources, redisUri);
        // While Redis is away, fail commands at once (the member gets `unavailable`) instead of queueing them.
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        connection = client.connect();
        scripts = new ClubScripts(connection.sync(), metrics, node, historySize, Math.max(1, retention.toMillis()), clock);
        heartbeat = new NodeHeartbeat(connection.sync(), scripts, node);
        leaveRetries = new LeaveRetries(scripts);
        pubsub = client.connectPubSub();
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                onEvents(() -> published(channel, message));
            }
        });
        heartbeat();
    }

    /**
     * Returns at once; the join itself runs on the events thread, where the club's local part is found
     * or made, so that it cannot be dropped between the lookup and the join.
     */
    @Override
    public Membership join(String clubId, Member member, OptionalLong since, String epoch, String requestId) {
        onEvents(() -> local.computeIfAbsent(clubId, id -> new RedisClub(this, scripts, ClubKeys.of(id)))
                .join(member, since, epoch, requestId));
        return new RedisMembership(this, clubId, member);
    }

    /** Runs on the events thread; once the store has closed (shutdown), there is nothing left to do. */
    void onEvents(Runnable task) {
        try {
            events.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.DEBUG, "club-chat is stopping; a late club event was dropped");
        }
    }

    @Override
    public CompletionStage<Long> publish(String clubId, String from, String message) {
        CompletableFuture<Long> seq = new CompletableFuture<>();
        onEvents(() -> {
            try {
                seq.complete(scripts.append(ClubKeys.of(clubId), from, message, "", ""));
                availability.answered();
            } catch (RedisException e) {
                availability.lost(e);
                seq.completeExceptionally(e);
            }
        });
        if (events.isShutdown()) {
            seq.completeExceptionally(new IllegalStateException("club-chat is stopping"));
        }
        return seq;
    }

    @Override
    public Optional<ClubView> view(String clubId) {
        ClubKeys keys = ClubKeys.of(clubId);
        try {
            String epoch = scripts.epoch(keys);
            if (epoch == null) {
                return Optional.empty();
            }
            return Optional.of(new ClubView(clubId, scripts.names(keys), scripts.seq(keys), epoch));
        } catch (RedisException e) {
            availability.lost(e);
            throw new Unavailable(e);
        }
    }

    @Override
    public int size() {
        return local.size();
    }

    /** Redis forgets idle clubs by itself (key expiry); the node's own duty is its heartbeat. */
    @Override
    public void sweep() {
        onEvents(this::heartbeat);
    }

    @Override
    public Duration sweepInterval() {
        return HEARTBEAT;
    }

    @Override
    public Optional<String> problem() {
        return availability.problem();
    }

    @Override
    public void close() {
        events.shutdown();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
            heartbeat.stop();
        } catch (RedisException e) {
            LOG.log(Level.DEBUG, "could not remove the heartbeat: {0}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pubsub.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    // ---- for RedisClub and RedisMembership, on the events thread ----------------------------------

    /** This node's part of the club, or null if it holds none (nobody here is in it). */
    RedisClub localClub(String clubId) {
        return local.get(clubId);
    }

    String node() {
        return node;
    }

    ProtocolCodec codec() {
        return codec;
    }

    Metrics metrics() {
        return metrics;
    }

    Availability availability() {
        return availability;
    }

    /** Takes a connection out of a club in Redis; while Redis is away, the heartbeat retries it later. */
    void leave(ClubKeys keys, String name, String connection, boolean nodeStillThere) {
        try {
            scripts.leave(keys, name, connection, nodeStillThere);
        } catch (RedisException e) {
            availability.lost(e);
            leaveRetries.add(new LeaveRetries.Leave(keys, name, connection, nodeStillThere));
        }
    }

    void subscribe(ClubKeys keys) {
        pubsub.sync().subscribe(keys.channel());
    }

    void unsubscribe(ClubKeys keys) {
        local.remove(keys.clubId());
        try {
            pubsub.sync().unsubscribe(keys.channel());
        } catch (RedisException e) {
            LOG.log(Level.DEBUG, "unsubscribe {0} failed: {1}", keys.clubId(), e.toString());
        }
    }

    Frame error(ErrorCode code, String detail, String requestId) {
        return codec.frame(new ServerMessage.Error(code, detail), requestId);
    }

    /** The heartbeat, then what it makes possible: leaves Redis missed, messages the subscription missed. */
    private void heartbeat() {
        try {
            heartbeat.beat();
            availability.answered();
            leaveRetries.retry();
            // Messages missed while the subscription was down, and clubs Redis lost, are found here.
            for (RedisClub club : local.values()) {
                club.check();
            }
        } catch (RedisException e) {
            availability.lost(e);
        }
    }

    private void published(String channel, String message) {
        RedisClub club = local.get(Optional.ofNullable(ClubKeys.clubOfChannel(channel)).orElse(""));
        if (club != null) {
            JsonObject event = Json.createReader(new StringReader(message)).readObject();
            club.published(event);
        }
    }
}
