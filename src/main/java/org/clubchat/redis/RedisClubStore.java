package org.clubchat.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.clubchat.club.ClubStore;
import org.clubchat.club.ClubView;
import org.clubchat.club.Member;
import org.clubchat.club.Membership;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.Names;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;

/**
 * Clubs shared by several nodes through Redis. Seq, epoch, history (a capped stream per club) and who
 * is in each club live in Redis, changed only by Lua scripts, each one atomic step; every accepted
 * message is published on its club's channel. A node subscribes to the channels of the clubs its own
 * members are in (one channel per club, so a node receives nothing for clubs it has nobody in) and
 * hands what arrives to its local members.
 *
 * <p>Threading: everything that touches a club's local state runs on the single {@code events}
 * thread, in submission order — joins, chats, leaves and published messages alike — so a club's frames
 * reach local members in seq order and a joiner's replay meets live delivery exactly once. Redis calls
 * made there are synchronous and bounded by the command timeout. {@code local} is a concurrent map so
 * that {@link #size} and the heartbeat can read it; it changes only on {@code events}.
 *
 * <p>A node writes a heartbeat key with a time-to-live; a node that sees another's heartbeat gone
 * removes that node's members (presence {@code leave} for names that go), so a dead node's members
 * vanish within {@link #NODE_TTL} plus one {@link #HEARTBEAT}.
 */
public final class RedisClubStore implements ClubStore {
    public static final Duration NODE_TTL = Duration.ofSeconds(5);
    public static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration RECONNECT_AT_MOST = Duration.ofSeconds(2);
    private static final System.Logger LOG = System.getLogger(RedisClubStore.class.getName());

    private final String node = newId();
    private final int historySize;
    private final long retentionMillis;
    private final ProtocolCodec codec;
    private final InstantSource clock;
    private final Metrics metrics;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final StatefulRedisPubSubConnection<String, String> pubsub;
    private final ExecutorService events = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "clubchat-redis");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, RedisClub> local = new ConcurrentHashMap<>();
    /** Leaves to retry once Redis is back; only the events thread touches it. */
    private final List<Leave> pendingLeaves = new ArrayList<>();
    private final AtomicBoolean available = new AtomicBoolean(true);
    private final String joinScript = script("join.lua");
    private final String chatScript = script("chat.lua");
    private final String leaveScript = script("leave.lua");
    private final String forgetNodeScript = script("forget-node.lua");

    /** Connects at once: a node that cannot reach Redis at start does not start. */
    public RedisClubStore(String uri, int historySize, Duration retention, ProtocolCodec codec, InstantSource clock, Metrics metrics) {
        this.historySize = Math.max(1, historySize);
        this.retentionMillis = Math.max(1, retention.toMillis());
        this.codec = codec;
        this.clock = clock;
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
        redis = connection.sync();
        pubsub = client.connectPubSub();
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                onEvents(() -> published(channel, message));
            }
        });
        heartbeat();
    }

    // ---- the seam --------------------------------------------------------------------------------

    /**
     * Returns at once; the join itself runs on the events thread, where the club's local part is found
     * or made, so that it cannot be dropped between the lookup and the join.
     */
    @Override
    public Membership join(String clubId, Member member, OptionalLong since, String epoch, String requestId) {
        onEvents(() -> local.computeIfAbsent(clubId, id -> new RedisClub(this, ClubKeys.of(id)))
                .join(member, since, epoch, requestId));
        return new RedisMembership(clubId, member);
    }

    /** Runs on the events thread; once the store has closed (shutdown), there is nothing left to do. */
    private void onEvents(Runnable task) {
        try {
            events.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.log(Level.DEBUG, "club-chat is stopping; a late club event was dropped");
        }
    }

    /**
     * A connection's membership: each call finds the club's local part on the events thread. A
     * connection that is not in it — its join failed while Redis was away, so the club may not even be
     * held — gets not_member for a chat, and its leave is answered as usual.
     */
    private final class RedisMembership implements Membership {
        private final String clubId;
        private final Member member;

        RedisMembership(String clubId, Member member) {
            this.clubId = clubId;
            this.member = member;
        }

        @Override
        public void chat(String connectionId, String message, String requestId) {
            onEvents(() -> {
                RedisClub club = local.get(clubId);
                if (club == null || !club.chat(connectionId, message, requestId)) {
                    member.delivery().offer(error(ErrorCode.NOT_MEMBER,
                            "not a member of club " + clubId + ": its join failed; join again", requestId));
                }
            });
        }

        @Override
        public void leave(String connectionId, String requestId) {
            onEvents(() -> {
                RedisClub club = local.get(clubId);
                if (club != null) {
                    club.remove(connectionId);
                }
                member.delivery().offer(codec.frame(new ServerMessage.Left(clubId), requestId));
            });
        }

        @Override
        public void disconnect(String connectionId) {
            onEvents(() -> {
                RedisClub club = local.get(clubId);
                if (club != null) {
                    club.remove(connectionId);
                }
            });
        }
    }

    @Override
    public CompletionStage<Long> publish(String clubId, String from, String message) {
        CompletableFuture<Long> seq = new CompletableFuture<>();
        onEvents(() -> {
            try {
                seq.complete(append(ClubKeys.of(clubId), from, message, "", ""));
            } catch (RedisException e) {
                unavailable(e);
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
            String epoch = redis.get(keys.epoch());
            if (epoch == null) {
                return Optional.empty();
            }
            List<String> names = new ArrayList<>(redis.hkeys(keys.names()));
            names.sort(Names.CODE_POINT_ORDER);
            return Optional.of(new ClubView(clubId, names, seq(keys), epoch));
        } catch (RedisException e) {
            unavailable(e);
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
        return available.get() ? Optional.empty() : Optional.of("redis unavailable");
    }

    @Override
    public void close() {
        events.shutdown();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
            redis.del(ClubKeys.nodeAlive(node));
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

    // ---- used by RedisClub, on the events thread ---------------------------------------------------

    String node() {
        return node;
    }

    ProtocolCodec codec() {
        return codec;
    }

    Metrics metrics() {
        return metrics;
    }

    /** Runs the join script: the club's epoch and seq, and the names in it, this connection included. */
    List<Object> joinScript(ClubKeys keys, String name, String connection) {
        return redis.eval(joinScript, ScriptOutputType.MULTI, keys(keys, ClubKeys.nodeClubs(node)),
                newId(), name, node + ":" + connection, keys.channel(), keys.clubId());
    }

    /** Takes a connection out of a club in Redis; while Redis is away, the heartbeat retries it later. */
    void leave(ClubKeys keys, String name, String connection, boolean nodeStillThere) {
        Leave leave = new Leave(keys, name, connection, nodeStillThere);
        try {
            leave(leave);
        } catch (RedisException e) {
            unavailable(e);
            pendingLeaves.add(leave);
        }
    }

    private void leave(Leave leave) {
        redis.eval(leaveScript, ScriptOutputType.INTEGER, keys(leave.keys(), ClubKeys.nodeClubs(node)),
                leave.name(), node + ":" + leave.connection(), leave.keys().channel(), String.valueOf(retentionMillis),
                leave.keys().clubId(), leave.nodeStillThere() ? "1" : "0");
    }

    /** A leave that Redis has not taken yet. */
    private record Leave(ClubKeys keys, String name, String connection, boolean nodeStillThere) {
    }

    /** Stores and publishes one message; returns its seq. */
    long append(ClubKeys keys, String from, String message, String connection, String requestId) {
        List<Object> result = redis.eval(chatScript, ScriptOutputType.MULTI,
                new String[] {keys.epoch(), keys.seq(), keys.log(), keys.names(), keys.conns()},
                newId(), String.valueOf(historySize), String.valueOf(clock.millis()), from, message, node, connection,
                requestId == null ? "" : requestId, keys.channel(), String.valueOf(retentionMillis));
        available(true);
        return (Long) result.get(0);
    }

    /** The club's log entries with seq in [from, to], oldest first. */
    List<StreamMessage<String, String>> log(ClubKeys keys, long from, long to) {
        return redis.xrange(keys.log(), Range.create(from + "-0", to + "-0"));
    }

    String epoch(ClubKeys keys) {
        return redis.get(keys.epoch());
    }

    long seq(ClubKeys keys) {
        return Long.parseLong(Optional.ofNullable(redis.get(keys.seq())).orElse("0"));
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

    /** Logged once when Redis goes away, once when it is back: never once per message. */
    void unavailable(RedisException e) {
        if (available.compareAndSet(true, false)) {
            LOG.log(Level.WARNING, "Redis is unavailable; chat messages get `unavailable` until it is back: {0}", e.toString());
        }
    }

    void available(boolean ok) {
        if (ok && available.compareAndSet(false, true)) {
            LOG.log(Level.INFO, "Redis is back");
        }
    }

    Frame error(ErrorCode code, String detail, String requestId) {
        return codec.frame(new ServerMessage.Error(code, detail), requestId);
    }

    // ---- heartbeat, dead nodes, missed messages ----------------------------------------------------

    private void heartbeat() {
        try {
            redis.set(ClubKeys.nodeAlive(node), "1", SetArgs.Builder.px(NODE_TTL.toMillis()));
            redis.sadd(ClubKeys.nodes(), node);
            for (String other : redis.smembers(ClubKeys.nodes())) {
                if (!other.equals(node) && redis.exists(ClubKeys.nodeAlive(other)) == 0) {
                    redis.eval(forgetNodeScript, ScriptOutputType.INTEGER,
                            new String[] {ClubKeys.nodeClubs(other), ClubKeys.nodeAlive(other), ClubKeys.nodes()},
                            other, ClubKeys.PREFIX, String.valueOf(retentionMillis));
                    LOG.log(Level.INFO, "node {0} stopped sending heartbeats; its members were removed", other);
                }
            }
            available(true);
            while (!pendingLeaves.isEmpty()) {
                leave(pendingLeaves.get(0));
                pendingLeaves.remove(0);
            }
            // Messages missed while the subscription was down, and clubs Redis lost, are found here.
            for (RedisClub club : local.values()) {
                club.check();
            }
        } catch (RedisException e) {
            unavailable(e);
        }
    }

    private void published(String channel, String message) {
        RedisClub club = local.get(Optional.ofNullable(ClubKeys.clubOfChannel(channel)).orElse(""));
        if (club != null) {
            JsonObject event = Json.createReader(new StringReader(message)).readObject();
            club.published(event);
        }
    }

    private static String[] keys(ClubKeys keys, String nodeClubs) {
        return new String[] {keys.epoch(), keys.seq(), keys.log(), keys.names(), keys.conns(), nodeClubs};
    }

    private static String newId() {
        return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    private static String script(String name) {
        try (InputStream in = RedisClubStore.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
