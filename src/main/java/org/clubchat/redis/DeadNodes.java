package org.clubchat.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ValueScanCursor;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Removes the members of nodes whose heartbeat expired, as if each had left: club by club, and in a club
 * {@link #AT_ONCE} connections to a script, reading only the club's index of that node's connections. So
 * a dead node of ten thousand clubs, or with thousands of members in one club, holds Redis for no longer
 * than one short script at a time, and the heartbeat, which finds the dead, never waits for the removal:
 * it runs on a thread of its own ({@code clubchat-redis-forget}).
 *
 * <p>A node taken for dead while it lived stops the removal where it got to (it is found alive before each step)
 * and puts its members back, by the mark the first step left (forget-node.lua). A removal cut short by
 * Redis failing is begun again at a later beat, and goes on where it stopped.
 *
 * <p>{@code underway} is a concurrent set: the heartbeat's thread adds a node, the removal's thread takes
 * it out when done, so that one node is never removed twice at once.
 */
final class DeadNodes implements AutoCloseable {
    /** The most connections one script removes. */
    static final int AT_ONCE = 1000;
    private static final System.Logger LOG = System.getLogger(DeadNodes.class.getName());

    private final ClubScripts scripts;
    private final Set<String> underway = ConcurrentHashMap.newKeySet();
    private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
        Thread forgetting = new Thread(task, "clubchat-redis-forget");
        forgetting.setDaemon(true);
        return forgetting;
    });

    DeadNodes(ClubScripts scripts) {
        this.scripts = scripts;
    }

    /** Removes the node's members, unless a removal of it is under way already. */
    void forget(String node) {
        if (!underway.add(node)) {
            return;
        }
        try {
            thread.execute(() -> {
                try {
                    if (removed(node)) {
                        LOG.log(Level.INFO, "node {0} stopped sending heartbeats; its members were removed", node);
                    }
                } catch (RedisException e) {
                    LOG.log(Level.DEBUG, "removing node {0} stopped: {1}; a later beat goes on with it", node, e.toString());
                } finally {
                    underway.remove(node);
                }
            });
        } catch (RejectedExecutionException stopping) {
            underway.remove(node);
        }
    }

    /** Whether the node's members are all removed; false when it was found alive. */
    private boolean removed(String node) {
        if (!ClubScripts.await(scripts.forgetNode(node, true))) {
            return false;
        }
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            ValueScanCursor<String> page = ClubScripts.await(scripts.nodeClubs(node, cursor));
            for (String clubId : page.getValues()) {
                ClubKeys keys = ClubKeys.of(clubId);
                do {
                    if (ClubScripts.await(scripts.alive(node))) {
                        return false;
                    }
                } while (ClubScripts.await(scripts.forgetInClub(keys, node, AT_ONCE)) > 0);
            }
            cursor = page;
        } while (!cursor.isFinished());
        if (!ClubScripts.await(scripts.forgetNode(node, false))) {
            return false;
        }
        ClubScripts.await(scripts.forgetNodeListed(node));
        return true;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(RedisClubStore.COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
