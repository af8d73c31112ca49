package org.clubchat.redis;

import io.lettuce.core.Range;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.Names;

/**
 * What a node asks of Redis about clubs, typed: the Lua scripts (each one atomic step, loaded from
 * {@code src/main/resources/org/clubchat/redis/} and run by their SHA-1) and the plain reads. Every call is synchronous and
 * bounded by the connection's command timeout, and throws Lettuce's {@code RedisException} when Redis
 * cannot answer. Holds no state but the script texts; the connection is Lettuce's, safe for any thread.
 */
final class ClubScripts {
    private final RedisCommands<String, String> redis;
    private final Metrics metrics;
    private final String node;
    private final int historySize;
    private final long retentionMillis;
    private final InstantSource clock;
    private final Script joinScript;
    private final Script chatScript;
    private final Script leaveScript;
    private final Script forgetNodeScript;

    /** A script's text and its SHA-1, by which Redis runs it without being sent the text each time. */
    private record Script(String text, String sha) {
    }

    ClubScripts(RedisCommands<String, String> redis, Metrics metrics, String node, int historySize, long retentionMillis,
            InstantSource clock) {
        this.redis = redis;
        this.metrics = metrics;
        this.joinScript = script(redis, "join.lua");
        this.chatScript = script(redis, "chat.lua");
        this.leaveScript = script(redis, "leave-club.lua", "leave.lua");
        this.forgetNodeScript = script(redis, "leave-club.lua", "forget-node.lua");
        this.node = node;
        this.historySize = historySize;
        this.retentionMillis = retentionMillis;
        this.clock = clock;
    }

    /** Adds a connection to the club: the club's epoch and seq, and the names in it, this connection's included. */
    List<Object> join(ClubKeys keys, String name, String connection) {
        return run(joinScript, ScriptOutputType.MULTI, withNodeClubs(keys),
                newId(), name, node + ":" + connection, keys.channel(), keys.clubId());
    }

    /**
     * Takes a connection out of the club; idempotent.
     *
     * @param nodeStillThere whether this node keeps other members in the club (its club index keeps it)
     */
    void leave(ClubKeys keys, String name, String connection, boolean nodeStillThere) {
        run(leaveScript, ScriptOutputType.INTEGER, withNodeClubs(keys),
                name, node + ":" + connection, keys.channel(), String.valueOf(retentionMillis),
                keys.clubId(), nodeStillThere ? "1" : "0");
    }

    /** Stores and publishes one message with the club's next seq; returns that seq. */
    long append(ClubKeys keys, String from, String message, String connection, String requestId) {
        List<Object> result = run(chatScript, ScriptOutputType.MULTI,
                new String[] {keys.epoch(), keys.seq(), keys.log(), keys.names(), keys.conns()},
                newId(), String.valueOf(historySize), String.valueOf(clock.millis()), from, message, node, connection,
                requestId == null ? "" : requestId, keys.channel(), String.valueOf(retentionMillis));
        return (Long) result.get(0);
    }

    /** Removes every member of a node whose heartbeat expired; false if it is alive after all. */
    boolean forgetNode(String other) {
        Long forgotten = run(forgetNodeScript, ScriptOutputType.INTEGER,
                new String[] {ClubKeys.nodeClubs(other), ClubKeys.nodeAlive(other), ClubKeys.nodes()},
                other, ClubKeys.PREFIX, String.valueOf(retentionMillis));
        return forgotten == 1;
    }

    /** The club's log entries with seq in [from, to], oldest first. */
    List<StreamMessage<String, String>> log(ClubKeys keys, long from, long to) {
        return timed(() -> redis.xrange(keys.log(), Range.create(from + "-0", to + "-0")));
    }

    /** The club's epoch, or null when Redis does not hold the club. */
    String epoch(ClubKeys keys) {
        return timed(() -> redis.get(keys.epoch()));
    }

    long seq(ClubKeys keys) {
        return Long.parseLong(Optional.ofNullable(timed(() -> redis.get(keys.seq()))).orElse("0"));
    }

    /** The distinct names in the club, in code point order. */
    List<String> names(ClubKeys keys) {
        List<String> names = new ArrayList<>(timed(() -> redis.hkeys(keys.names())));
        names.sort(Names.CODE_POINT_ORDER);
        return names;
    }

    static long seqOf(StreamMessage<String, String> entry) {
        String id = entry.getId();
        return Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    static String newId() {
        return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    private String[] withNodeClubs(ClubKeys keys) {
        return new String[] {keys.epoch(), keys.seq(), keys.log(), keys.names(), keys.conns(), ClubKeys.nodeClubs(node)};
    }

    /**
     * Runs a script by its SHA-1; a Redis that does not have it (restarted, flushed) is given it again
     * once, and then runs it.
     */
    private <T> T run(Script script, ScriptOutputType type, String[] keys, String... args) {
        return timed(() -> {
            try {
                return redis.evalsha(script.sha(), type, keys, args);
            } catch (RedisNoScriptException e) {
                redis.scriptLoad(script.text());
                return redis.evalsha(script.sha(), type, keys, args);
            }
        });
    }

    /** Runs one command and records how long Redis took to answer it, answered or not. */
    private <T> T timed(Supplier<T> command) {
        long start = System.nanoTime();
        try {
            return command.get();
        } finally {
            metrics.redisCommandAnswered(System.nanoTime() - start);
        }
    }

    /** The script made of the named resources, one after the other. */
    private static Script script(RedisCommands<String, String> redis, String... names) {
        StringBuilder text = new StringBuilder();
        for (String name : names) {
            try (InputStream in = ClubScripts.class.getResourceAsStream(name)) {
                text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Script(text.toString(), redis.digest(text.toString()));
    }
}
