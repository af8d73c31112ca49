package org.clubchat.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The failure detector. Each node keeps a heartbeat key with a time-to-live; a node that finds another's
 * key gone removes that node's members ({@link DeadNodes}; presence {@code leave} for names that go), so a
 * dead node's members vanish within {@link RedisClubStore#NODE_TTL} plus one {@link RedisClubStore#HEARTBEAT}.
 *
 * <p>A node taken for dead while it lived (paused past the time-to-live, a Redis failover or restart)
 * notices at its next beat: the peers that began removing its members left it a mark first
 * ({@link DeadNodes}). It then puts its members back ({@code forgotten}), so that nobody vanishes for good
 * and no quiet club of its members expires.
 *
 * <p>A node judges its peers only once it has itself beaten for {@link #SETTLING} with no failed beat, no
 * reconnect and no change of a Redis Cluster's topology: after Redis was away (a failover that Sentinel
 * takes 30 s to begin, a restart), or after a connection moved to another primary (a manual failover,
 * where the old primary takes writes that are then lost for up to 10 s), the peers' heartbeat keys may
 * have expired, and a peer that reconnects a moment later than this node is as alive as this one.
 *
 * <p>It has a connection and a thread ({@code clubchat-redis-heartbeat}) of its own, used for nothing
 * else: however busy the node's club work is, or however long Redis takes over a club command, the
 * heartbeat waits behind none of it, so a live node is not taken for dead.
 */
final class NodeHeartbeat implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NodeHeartbeat.class.getName());
    /**
     * How long a node beats without a break before it takes a peer whose key is gone for dead: a peer's key
     * lives {@link RedisClubStore#NODE_TTL}, and a peer's connection comes back within
     * {@link RedisClubStore#RECONNECT_AT_MOST} of this node's.
     */
    static final Duration SETTLING = RedisClubStore.NODE_TTL.plus(RedisClubStore.HEARTBEAT);

    private final RedisClusterCommands<String, String> redis;
    private final ClubScripts scripts;
    private final Availability availability;
    private final String node;
    private final Runnable forgotten;
    private final DeadNodes dead;
    /** When this node may judge its peers again ({@link System#nanoTime}); on the heartbeat's thread only, once started. */
    private long judgesFrom;
    /**
     * Whether a beat failed, or a connection to Redis was made again or the cluster's topology changed
     * since the last beat ({@link #unsettle}): the next beat begins {@link #SETTLING} again. Volatile:
     * Lettuce's threads set it.
     */
    private volatile boolean unsettled = true;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread beating = new Thread(task, "clubchat-redis-heartbeat");
        beating.setDaemon(true);
        return beating;
    });

    /**
     * Beats once at once (a node that cannot reach Redis does not start), then every heartbeat period.
     *
     * @param forgotten what puts this node's members back once its peers have removed them
     */
    NodeHeartbeat(RedisClusterCommands<String, String> redis, ClubScripts scripts, Availability availability,
            String node, Runnable forgotten) {
        this.forgotten = forgotten;
        this.redis = redis;
        this.scripts = scripts;
        this.availability = availability;
        this.node = node;
        this.dead = new DeadNodes(scripts);
        beat();
        long period = RedisClubStore.HEARTBEAT.toMillis();
        thread.scheduleWithFixedDelay(this::beatOrReport, period, period, TimeUnit.MILLISECONDS);
    }

    /** A connection to Redis was made again, or a Redis Cluster's topology changed: the peers get time to beat again. */
    void unsettle() {
        unsettled = true;
    }

    private void beatOrReport() {
        try {
            beat();
            availability.answered();
        } catch (RedisException e) {
            unsettled = true;
            availability.lost(e);
        } catch (RuntimeException e) {
            unsettled = true;
            LOG.log(Level.WARNING, "heartbeat failed", e);
        }
    }

    /**
     * Renews this node's key and, once it has beaten for {@link #SETTLING} without a break, forgets the
     * nodes whose keys expired; throws when Redis cannot answer.
     */
    private void beat() {
        redis.set(ClubKeys.nodeAlive(node), "1", SetArgs.Builder.px(RedisClubStore.NODE_TTL.toMillis()));
        redis.sadd(ClubKeys.nodes(), node);
        long now = System.nanoTime();
        if (unsettled) {
            unsettled = false;
            judgesFrom = now + SETTLING.toNanos();
        }
        // Its peers began removing its members (they left a mark first). Without a mark, Redis lost
        // everything: its clubs' runs are gone too, and their members re-join them anyway.
        if (redis.del(ClubKeys.nodeForgotten(node)) == 1) {
            LOG.log(Level.WARNING, "this node was taken for dead while it lived (a pause, a Redis failover or restart); "
                    + "putting its members back in their clubs");
            forgotten.run();
        }
        if (now - judgesFrom < 0) {
            return;
        }
        for (String other : redis.smembers(ClubKeys.nodes())) {
            if (!other.equals(node) && redis.exists(ClubKeys.nodeAlive(other)) == 0) {
                dead.forget(other);
            }
        }
    }

    /** Stops beating and takes this node's key away at once (a clean stop), so that no one waits for it to expire. */
    @Override
    public void close() {
        dead.close();
        thread.shutdownNow();
        try {
            thread.awaitTermination(RedisClubStore.COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            redis.del(ClubKeys.nodeAlive(node));
        } catch (RedisException e) {
            LOG.log(Level.DEBUG, "could not remove the heartbeat: {0}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
