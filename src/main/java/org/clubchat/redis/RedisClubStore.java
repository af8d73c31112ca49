package org.clubchat.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
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
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.clubchat.club.ClubStore;
import org.clubchat.club.ClubView;
import org.clubchat.club.Deletion;
import org.clubchat.club.Erasure;
import org.clubchat.club.Member;
import org.clubchat.club.Membership;
import org.clubchat.club.MessageLog;
import org.clubchat.club.PresenceLimit;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ServerMessage;

/**
 * Clubs shared by several nodes through Redis. Seq, epoch, history (a capped stream per club) and who
 * is in each club live in Redis, changed only by Lua scripts ({@link ClubScripts}), each one atomic
 * step; every accepted message is published on its club's channel. A node subscribes to the channels
 * of the clubs its own members are in (one channel per club, so a node receives nothing for clubs it
 * has nobody in) and hands what arrives to its local members ({@link RedisClub}).
 *
 * <p>Threading: everything that touches a club's local state runs on the single {@code events}
 * thread ({@code clubchat-redis}), in submission order: joins, chats, leaves, published messages, and
 * the answers to commands. That thread never waits for Redis: it sends commands (pipelined on one
 * connection, so Redis runs them in the order they were sent, and one sender's chats get seqs in its
 * order) and the answers come back to it as new tasks. So a slow or paused Redis delays answers but
 * never the thread, and every request can be answered within the protocol's 10 seconds. {@code local}
 * is a concurrent map so that {@link #size} can read it from any thread; it changes only on
 * {@code events}. The heartbeat has its own connection and thread ({@link NodeHeartbeat}); Lettuce runs
 * its own I/O threads besides.
 *
 * <p>Longer than most classes here (about 490 lines): it is the whole {@code ClubStore} seam, each
 * operation a few lines handing over to its part, plus the few helpers those parts share on the events
 * thread; the club work itself lives in {@link RedisClub}, {@link ClubFeed} and their neighbours.
 */
public final class RedisClubStore implements ClubStore {
    /** How long a node's heartbeat key lives; a node whose key is gone is taken for dead. */
    public static final Duration NODE_TTL = Duration.ofSeconds(5);
    /** How often a node renews its key, and checks its clubs for missed messages and unanswered requests. */
    public static final Duration HEARTBEAT = Duration.ofSeconds(1);
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** How many clubs' runs the sweep reads in one command. */
    private static final int CHECKED_AT_ONCE = 500;
    static final Duration RECONNECT_AT_MOST = Duration.ofSeconds(2);
    private static final System.Logger LOG = System.getLogger(RedisClubStore.class.getName());

    private final String node = ClubScripts.newId();
    private final ProtocolCodec codec;
    private final Metrics metrics;
    private final ClientResources resources;
    private final RedisLink link;
    private final ClubChannels channels;
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
    /** The history store, which then gives every club's run and seqs (docs/architecture.md); null without one. */
    private final MessageLog log;
    private final int replayMax;
    private final InstantSource clock;
    private final PresenceLimit presenceLimit;
    /** Reads of the history store, which block, off the events thread; null without a store. */
    private final StoreReads storeReads;
    private final OperatorRequests operators;
    /** A re-assert of this node's members failed and is due again; on the events thread only. */
    private boolean reassertDue;

    /**
     * Connects at once: a node that cannot reach Redis at start does not start.
     *
     * @param log       the history store that keeps every message and gives the clubs' seqs, or null
     * @param replayMax the most messages one join replays from the store
     */
    public RedisClubStore(String uri, int historySize, Duration retention, ProtocolCodec codec, InstantSource clock, Metrics metrics,
            MessageLog log, int replayMax, PresenceLimit presenceLimit) {
        this.presenceLimit = presenceLimit;
        this.codec = codec;
        this.metrics = metrics;
        this.log = log;
        this.replayMax = replayMax;
        this.clock = clock;
        this.storeReads = log == null ? null : new StoreReads();
        // Reconnect quickly once Redis is back: at most 2 s between attempts instead of Lettuce's 30 s.
        resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), RECONNECT_AT_MOST, 2, TimeUnit.MILLISECONDS))
                .build();
        link = RedisLink.connect(uri, resources, COMMAND_TIMEOUT);
        long retentionMillis = Math.max(1, retention.toMillis());
        scripts = new ClubScripts(link.commands(), link.sharded(), metrics, node, historySize, retentionMillis, clock);
        ClubScripts.await(scripts.load());
        operators = new OperatorRequests(scripts, log, availability);
        heartbeat = new NodeHeartbeat(link.heartbeatCommands(),
                new ClubScripts(link.heartbeatAsync(), link.sharded(), metrics, node, historySize, retentionMillis, clock),
                availability, node, () -> {
                    metrics.redisReasserted();
                    onEvents(this::reassert);
                });
        PrimaryWatch primary = new PrimaryWatch(() -> {
            metrics.redisFailedOver();
            onEvents(this::reassert);
        });
        link.onConnected(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                heartbeat.unsettle();
                if (!link.sharded()) {
                    primary.onRedisConnected(connection, address);
                }
                onEvents(scripts::load);
            }
        });
        leaveRetries = new LeaveRetries(scripts, this::onEvents);
        channels = new ClubChannels(link, this);
        // A Redis Cluster's replica promoted or slots moved: a shard channel's subscription does not
        // follow by itself, and the new primary may lack the last writes.
        link.onTopologyChanged(() -> {
            heartbeat.unsettle();
            metrics.redisFailedOver();
            onEvents(() -> {
                channels.resubscribeAll(local.values().stream().map(RedisClub::keys).toList());
                reassert();
            });
        });
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
    public CompletionStage<Stored> publish(String clubId, String from, String message, String key) {
        if (events.isShutdown()) {
            return CompletableFuture.failedFuture(new IllegalStateException("club-chat is stopping"));
        }
        CompletableFuture<Stored> result = new CompletableFuture<>();
        if (log != null) {
            ClubKeys keys = ClubKeys.of(clubId);
            long ts = clock.millis();
            afterStore(log.take(new MessageLog.Draft(clubId, ClubScripts.newId(), ts, PUBLISHER, from, message, key)),
                    (taken, failure) -> {
                        if (failure != null) {
                            result.completeExceptionally(failure);
                            return;
                        }
                        if (!taken.duplicate()) {
                            relay(keys, taken, Map.of("ts", String.valueOf(ts), "from", from, "message", message,
                                    "node", node, "conn", "", "req", "", "att", ""));
                        }
                        result.complete(new Stored(taken.seq(), taken.duplicate()));
                    });
            return result;
        }
        String keyId = key == null ? null : ClubScripts.keyId(PUBLISHER, key);
        onEvents(() -> scripts.append(ClubKeys.of(clubId), ClubScripts.newId(), keyId, PUBLISHER, from, message, "", "")
                .whenComplete((stored, failure) -> {
                    if (failure == null) {
                        availability.answered();
                        result.complete(new Stored(stored.seq(), stored.duplicate()));
                    } else {
                        lost(failure);
                        result.completeExceptionally(failure);
                    }
                }));
        return result;
    }

    @Override
    public Optional<ClubView> view(String clubId) {
        return operators.view(clubId);
    }

    /** Published to every node (each subscribes to the broadcast channel), this one included. */
    @Override
    public void broadcast(String message) {
        operators.broadcast(message);
    }

    @Override
    public void onBroadcast(Consumer<String> listener) {
        channels.onBroadcast(listener);
    }

    @Override
    public List<ClubView> clubs() {
        return operators.clubs();
    }

    @Override
    public List<ServerMessage.Numbered> messagesAfter(String clubId, long since) {
        return operators.messagesAfter(clubId, since);
    }

    @Override
    public ServerMessage.History readBack(ClientMessage.History asked) {
        return operators.readBack(asked);
    }

    @Override
    public Deletion delete(String clubId, long seq) {
        return operators.delete(clubId, seq);
    }

    @Override
    public long erase(Erasure who) {
        return operators.erase(who);
    }

    @Override
    public int size() {
        return local.size();
    }

    /**
     * Redis forgets idle clubs by itself (key expiry), and the heartbeat beats on its own; what is left
     * is each club's check for missed messages and unanswered requests, and leaves Redis did not take.
     * The clubs' runs are read {@link #CHECKED_AT_ONCE} clubs to a command, so that a node in many clubs
     * does not send a command per club every second.
     */
    @Override
    public void sweep() {
        onEvents(() -> {
            leaveRetries.retry();
            channels.retry();
            if (reassertDue) {
                reassert();
            }
            List<RedisClub> clubs = new ArrayList<>();
            List<String> epochs = new ArrayList<>();
            for (RedisClub club : local.values()) {
                String checking = club.check();
                if (checking != null) {
                    clubs.add(club);
                    epochs.add(checking);
                }
            }
            for (int from = 0; from < clubs.size(); from += CHECKED_AT_ONCE) {
                int to = Math.min(clubs.size(), from + CHECKED_AT_ONCE);
                List<RedisClub> batch = clubs.subList(from, to);
                List<String> batchEpochs = epochs.subList(from, to);
                then(scripts.runs(batch.stream().map(RedisClub::keys).toList()), (runs, failure) -> {
                    if (failure != null) {
                        lost(failure);
                        return;
                    }
                    for (int i = 0; i < batch.size(); i++) {
                        batch.get(i).checked(batchEpochs.get(i), runs.get(i));
                    }
                });
            }
        });
    }

    /**
     * The heartbeat found this node taken for dead while it lived (a pause, a Redis restart), or Redis
     * failed over to a primary that may lack the last writes: every local member goes back into its clubs
     * (a member Redis still holds is left as it is). On the events thread; one that Redis did not answer
     * is tried again at the next sweep.
     */
    private void reassert() {
        reassertDue = false;
        local.values().forEach(club -> {
            then(scripts.indexClub(club.keys().clubId(), true), (done, failure) -> {
                if (failure != null) {
                    reassertDue = true;
                }
            });
            club.reassert(() -> reassertDue = true);
        });
    }

    @Override
    public Duration answerTime() {
        // A join runs two commands, each within the timeout; with the store, one command and a read of the store.
        return log == null ? COMMAND_TIMEOUT.multipliedBy(2) : COMMAND_TIMEOUT.plus(StoreReads.WITHIN);
    }

    @Override
    public Duration sweepInterval() {
        return HEARTBEAT;
    }

    @Override
    public Map<String, Boolean> backends() {
        return log == null ? Map.of("redis", availability.problem().isEmpty())
                : Map.of("redis", availability.problem().isEmpty(), "db", log.problem().isEmpty());
    }

    @Override
    public void close() {
        events.shutdown();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (storeReads != null) {
            storeReads.close();
        }
        if (log != null) {
            log.close();
        }
        heartbeat.close();
        channels.close();
        link.close();
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

    /** The history store, or null without one. */
    MessageLog log() {
        return log;
    }

    int replayMax() {
        return replayMax;
    }

    InstantSource clock() {
        return clock;
    }

    PresenceLimit presenceLimit() {
        return presenceLimit;
    }

    /**
     * Reads the history store on a thread of its own ({@link StoreReads}) and runs {@code then} with what
     * it read, or its failure, on the events thread; nothing once the server is stopping.
     */
    <T> void readStore(Supplier<T> read, BiConsumer<T, Throwable> then) {
        CompletableFuture<T> reading;
        try {
            reading = storeReads.read(read);
        } catch (RejectedExecutionException stopping) {
            return;
        }
        afterStore(reading, then);
    }

    /** Runs {@code then} on the events thread once the store's answer comes, with the failure itself (not its wrapper). */
    <T> void afterStore(CompletionStage<T> answer, BiConsumer<T, Throwable> then) {
        answer.whenComplete((value, failure) -> onEvents(() -> then.accept(value, failure == null ? null : ClubScripts.unwrap(failure))));
    }

    /**
     * Follows a deletion the history store made: the message leaves Redis too (if it holds it), and every
     * node's members are told, but {@code requester} ({@link ClubScripts#requester}, "" for none).
     */
    void followDeletion(ClubKeys keys, long seq, String requester) {
        then(scripts.delete(keys, seq, null, requester, true), (done, failure) -> {
            if (failure != null) {
                lost(failure);
            }
        });
    }

    /**
     * Passes a message the store committed on to the other nodes; one Redis did not take reaches them
     * from the store, when the next one shows them the gap or the club's check finds its seq behind.
     */
    void relay(ClubKeys keys, MessageLog.Taken taken, Map<String, String> entry) {
        then(scripts.relay(keys, taken.epoch(), taken.seq(), entry), (done, failure) -> {
            if (failure != null) {
                lost(failure);
            }
        });
    }

    ProtocolCodec codec() {
        return codec;
    }

    Metrics metrics() {
        return metrics;
    }

    /** Whether commands can be sent now; while not, Lettuce refuses them, so nothing sent could be stored. */
    boolean connected() {
        return link.connected();
    }

    void answered() {
        availability.answered();
    }

    /** A command failed: Redis is taken for unavailable until it answers again. */
    void lost(Throwable failure) {
        Throwable cause = ClubScripts.unwrap(failure);
        availability.lost(cause instanceof RuntimeException runtime ? runtime : new RedisException(cause));
    }

    /** Runs {@code task} on the events thread when {@code command} is answered, or has failed. */
    <T> void then(CompletableFuture<T> command, BiConsumer<T, Throwable> task) {
        command.whenComplete((value, failure) -> onEvents(() -> task.accept(value, failure)));
    }

    /** Takes a connection's join out of a club in Redis; while Redis does not take it, it is sent again later. */
    void leave(ClubKeys keys, String name, String field) {
        then(scripts.leave(keys, name, field), (done, failure) -> {
            if (failure != null) {
                lost(failure);
                leaveRetries.add(new LeaveRetries.Leave(keys, name, field));
            }
        });
    }

    /**
     * The club's first local join is about to go out: the club goes into this node's index (sent before
     * the join, so that the node's peers find the join if the node dies) and its channel is subscribed.
     */
    void subscribe(ClubKeys keys) {
        scripts.indexClub(keys.clubId(), true);
        channels.subscribe(keys);
    }

    /** The club's last local member has left. */
    void unsubscribe(ClubKeys keys) {
        local.remove(keys.clubId());
        channels.unsubscribe(keys);
        scripts.indexClub(keys.clubId(), false);
    }

    /** The answer to a chat of a connection whose join failed (Redis was away), so it is not in the club. */
    void notMember(String clubId, Member member, String requestId) {
        member.delivery().offer(error(ErrorCode.NOT_MEMBER, "not a member of club " + clubId + ": its join failed; join again",
                requestId));
    }

    Frame error(ErrorCode code, String detail, String requestId) {
        return codec.frame(new ServerMessage.Error(code, detail), requestId);
    }
}
