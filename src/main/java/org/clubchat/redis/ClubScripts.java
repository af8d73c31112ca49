package org.clubchat.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.Range;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.clubchat.club.Deletion;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.Names;
import org.clubchat.protocol.SendKeys;
import org.clubchat.protocol.ServerMessage;

/**
 * What a node asks of Redis about clubs, typed: the Lua scripts (each one atomic step, loaded from
 * {@code src/main/resources/org/clubchat/redis/} and run by their SHA-1) and the plain reads. Every call
 * is asynchronous: it is written to the connection at once (so calls made one after the other reach
 * Redis, and run there, in that order) and completes on a Lettuce thread, exceptionally with Lettuce's
 * {@code RedisException} when Redis cannot answer within the connection's command timeout. Holds no
 * state but the script texts; the connection is Lettuce's, safe for any thread.
 *
 * <p>Longer than most classes here (about 470 lines): one short method per script or command, each
 * naming the keys its Lua takes in their order; split up, a script's keys would sit far from each other.
 */
final class ClubScripts {
    /** How long Redis keeps the receipt of a chat without a key: long after any answer could still be missing. */
    static final Duration RECEIPT_TTL = Duration.ofMinutes(1);
    /** How long Redis keeps the receipt of a chat with a client's key: the protocol's "at least 10 minutes". */
    static final Duration KEY_TTL = SendKeys.KEPT;
    /** How long the mark a node finds when it was taken for dead while it lived is kept for it. */
    static final Duration FORGOTTEN_MARK_TTL = Duration.ofMinutes(10);

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Metrics metrics;
    private final String node;
    private final int historySize;
    private final long retentionMillis;
    private final InstantSource clock;
    private final Script joinScript;
    private final Script chatScript;
    private final Script leaveScript;
    private final Script forgetNodeScript;
    private final Script forgetInClubScript;
    private final Script presenceScript;
    private final Script relayScript;
    private final Script deleteScript;
    private final Script restartRunScript;

    /** A script's text and its SHA-1, by which Redis runs it without being sent the text each time. */
    private record Script(String text, String sha) {
    }

    /**
     * What a join read: the club's epoch and seq, the names in it (the joiner's included; null unless
     * asked for), and the seq of the oldest message its history holds ({@code seq + 1} when none).
     *
     * @param presenceVersion the club's presence version when the names were read (see {@link #presence})
     */
    record Joined(String epoch, long seq, List<String> names, long firstSeq, long presenceVersion) {
    }

    /** The club's names, and the presence version they are at: every presence event moves it on by one. */
    record Presence(long version, List<String> names) {
    }

    /** What an append did: the seq the message has, and whether it was stored before (a resend of a key). */
    record Appended(long seq, boolean duplicate) {
    }

    /** @param sharded whether the scripts publish on shard channels (SPUBLISH: a Redis Cluster) */
    ClubScripts(RedisClusterAsyncCommands<String, String> redis, boolean sharded, Metrics metrics, String node, int historySize,
            long retentionMillis, InstantSource clock) {
        this.redis = redis;
        String publish = sharded ? "SPUBLISH" : "PUBLISH";
        this.metrics = metrics;
        this.joinScript = script(redis, publish, "join.lua");
        this.chatScript = script(redis, publish, "gone.lua", "chat.lua");
        this.leaveScript = script(redis, publish, "leave-club.lua", "leave.lua");
        this.forgetNodeScript = script(redis, publish, "forget-node.lua");
        this.forgetInClubScript = script(redis, publish, "leave-club.lua", "forget-in-club.lua");
        this.presenceScript = script(redis, publish, "presence.lua");
        this.relayScript = script(redis, publish, "gone.lua", "relay.lua");
        this.deleteScript = script(redis, publish, "delete.lua");
        this.restartRunScript = script(redis, publish, "restart-run.lua");
        this.node = node;
        this.historySize = historySize;
        this.retentionMillis = retentionMillis;
        this.clock = clock;
    }

    /**
     * Adds a connection (by its field, {@link #field}) to the club; idempotent.
     *
     * @param beginsRun  whether a club Redis does not hold begins a new run here; not when the history store
     *                   gives the club's run (its epoch is then answered as '')
     * @param readsNames whether the answer lists the club's names (the node's first join: later ones follow
     *                   the presence events); else its names are empty, so a join costs the same in any club
     */
    CompletableFuture<Joined> join(ClubKeys keys, String name, String field, boolean beginsRun, boolean readsNames) {
        return this.<List<Object>>run(joinScript, ScriptOutputType.MULTI, membershipKeys(keys, node),
                beginsRun ? newId() : "", name, field, keys.channel(), readsNames ? "1" : "0").thenApply(joined -> {
                    @SuppressWarnings("unchecked")
                    List<String> names = readsNames ? (List<String>) joined.get(2) : null;
                    return new Joined((String) joined.get(0), (Long) joined.get(1), names, (Long) joined.get(3),
                            (Long) joined.get(4));
                });
    }

    /**
     * The member field of one join of a connection in the club's hash: unique to the join, so that
     * undoing a join whose answer was lost cannot take out a later join of the same connection.
     */
    String field(String connection) {
        return node + ":" + connection + ":" + newId();
    }

    /** Takes a connection's field out of the club; idempotent. */
    CompletableFuture<Long> leave(ClubKeys keys, String name, String field) {
        return run(leaveScript, ScriptOutputType.INTEGER, membershipKeys(keys, node),
                name, field, keys.channel(), String.valueOf(retentionMillis));
    }

    /**
     * Puts the club in this node's index of its clubs (or takes it out), by which its peers find its
     * members if it dies ({@link DeadNodes}). A command of its own, as the index is in another hash slot
     * than the club: sent before the club's first join on this node, after its last leave.
     */
    CompletableFuture<Long> indexClub(String clubId, boolean in) {
        return timed(() -> in ? redis.sadd(ClubKeys.nodeClubs(node), clubId) : redis.srem(ClubKeys.nodeClubs(node), clubId));
    }

    /**
     * Stores and publishes one message with the club's next seq. Idempotent per {@code dedupe}
     * ({@link #attemptId} or {@link #keyId}): run again, it stores nothing and answers the first seq, as
     * a duplicate; {@link #receipt} asks for that seq.
     *
     * @param attempt the attempt's own id, which the published message carries back to its node
     * @param keyId   {@link #keyId} when the client gave a key, else null
     */
    CompletableFuture<Appended> append(ClubKeys keys, String attempt, String keyId, String sender, String from,
            String message, String connection, String requestId) {
        String dedupe = keyId != null ? keyId : attemptId(attempt);
        Duration receiptTtl = keyId != null ? KEY_TTL : RECEIPT_TTL;
        return this.<List<Object>>runInOrder(chatScript, ScriptOutputType.MULTI,
                new String[] {keys.epoch(), keys.seq(), keys.log(), keys.names(), keys.conns(), keys.receipt(dedupe),
                    keys.sentKeys(), keys.gone()},
                newId(), String.valueOf(historySize), String.valueOf(clock.millis()), from, message, node, connection,
                requestId == null ? "" : requestId, keys.channel(), String.valueOf(retentionMillis), attempt,
                String.valueOf(receiptTtl.toMillis()), keyId == null ? "" : keyId, sender)
                .thenApply(result -> new Appended((Long) result.get(0), (Long) result.get(2) == 1));
    }

    /**
     * Passes a message the history store committed on to every node with members in the club, and keeps
     * it among the club's newest in Redis (relay.lua).
     */
    CompletableFuture<Long> relay(ClubKeys keys, String epoch, long seq, Map<String, String> entry) {
        return run(relayScript, ScriptOutputType.INTEGER, relayKeys(keys),
                epoch, String.valueOf(seq), String.valueOf(retentionMillis), String.valueOf(historySize), entry.get("ts"),
                entry.get("from"), entry.get("message"), entry.get("node"), entry.get("conn"), entry.get("req"), entry.get("att"),
                keys.channel());
    }

    /** Puts the club's run and seq, as the history store has them, back into Redis if it has less (relay.lua). */
    CompletableFuture<Long> restore(ClubKeys keys, String epoch, long seq) {
        return run(relayScript, ScriptOutputType.INTEGER, relayKeys(keys),
                epoch, String.valueOf(seq), String.valueOf(retentionMillis));
    }

    /**
     * Without the history store: begins a new run of a club whose run Redis holds to a lower seq than
     * {@code delivered} (restart-run.lua); whether this call began it.
     */
    CompletableFuture<Boolean> restartRun(ClubKeys keys, String epoch, long delivered) {
        return this.<Long>run(restartRunScript, ScriptOutputType.INTEGER,
                new String[] {keys.epoch(), keys.seq(), keys.log(), keys.sentKeys(), keys.gone()},
                epoch, String.valueOf(delivered), newId()).thenApply(began -> began == 1);
    }

    private static String[] relayKeys(ClubKeys keys) {
        return new String[] {keys.epoch(), keys.seq(), keys.log(), keys.conns(), keys.gone()};
    }

    /**
     * Deletes message {@code seq} of the club in Redis and tells every node with members there
     * (delete.lua): what Redis answers, or, with {@code storeDecided}, {@link Deletion#DELETED} after
     * following the history store's deletion.
     *
     * @param sender    whose message it must be; null for an operator
     * @param requester the connection that asked ({@link #requester}), whose node answers it itself; "" for none
     */
    CompletableFuture<Deletion> delete(ClubKeys keys, long seq, String sender, String requester, boolean storeDecided) {
        return this.<String>run(deleteScript, ScriptOutputType.STATUS,
                new String[] {keys.epoch(), keys.seq(), keys.log(), keys.gone()},
                String.valueOf(seq), sender == null ? "" : sender, keys.channel(), requester, storeDecided ? "1" : "0")
                .thenApply(outcome -> switch (outcome) {
                    case "deleted" -> Deletion.DELETED;
                    case "already" -> Deletion.ALREADY_DELETED;
                    case "forbidden" -> Deletion.FORBIDDEN;
                    default -> Deletion.NOT_FOUND;
                });
    }

    /** How a deletion's event names the connection that asked for it, which its node answers itself. */
    String requester(String connection) {
        return node + ":" + connection;
    }

    /** The receipt name of a chat without a key. */
    static String attemptId(String attempt) {
        return "a:" + attempt;
    }

    /** The receipt name of a chat with a client's key: one per sender and key (the sender's length first, so no two pairs collide). */
    static String keyId(String sender, String key) {
        return "k:" + sender.length() + ":" + sender + ":" + key;
    }

    /**
     * The seq an {@link #append} was stored with, by its {@code dedupe} name, or empty if it was not. Asked
     * on the connection that carried the append, so Redis answers it only after it has run the append, if
     * it ever will.
     */
    CompletableFuture<Optional<Long>> receipt(ClubKeys keys, String dedupe) {
        return timed(() -> redis.get(keys.receipt(dedupe))).thenApply(seq -> Optional.ofNullable(seq).map(Long::valueOf));
    }

    /**
     * The first ({@code begin}) or last step of removing a node whose heartbeat expired (forget-node.lua);
     * false, and nothing done, if it is alive after all.
     */
    CompletableFuture<Boolean> forgetNode(String other, boolean begin) {
        return this.<Long>run(forgetNodeScript, ScriptOutputType.INTEGER,
                new String[] {ClubKeys.nodeClubs(other), ClubKeys.nodeAlive(other), ClubKeys.nodeForgotten(other)},
                begin ? "begin" : "end", String.valueOf(FORGOTTEN_MARK_TTL.toMillis()))
                .thenApply(done -> done == 1);
    }

    /** Takes a node that was removed off the list of nodes. */
    CompletableFuture<Long> forgetNodeListed(String other) {
        return timed(() -> redis.srem(ClubKeys.nodes(), other));
    }

    /** Whether the node's heartbeat key is there. */
    CompletableFuture<Boolean> alive(String other) {
        return timed(() -> redis.exists(ClubKeys.nodeAlive(other))).thenApply(count -> count == 1);
    }

    /** One page of the clubs a node has (had) members in, from {@code cursor}. */
    CompletableFuture<ValueScanCursor<String>> nodeClubs(String other, ScanCursor cursor) {
        return timed(() -> redis.sscan(ClubKeys.nodeClubs(other), cursor, ScanArgs.Builder.limit(500)));
    }

    /** Removes at most {@code most} of a dead node's connections from the club (forget-in-club.lua): how many it still holds. */
    CompletableFuture<Long> forgetInClub(ClubKeys keys, String other, int most) {
        return run(forgetInClubScript, ScriptOutputType.INTEGER, membershipKeys(keys, other),
                keys.channel(), String.valueOf(retentionMillis), String.valueOf(most));
    }

    /**
     * The club's log entries with seq in [from, to], oldest first, a deleted message's as a tombstone
     * ({@link #TOMBSTONE}). The stream is read before the gone set, on the same connection: a deletion
     * between the two reads shows as both, and the tombstone wins.
     */
    CompletableFuture<List<StreamMessage<String, String>>> log(ClubKeys keys, long from, long to) {
        CompletableFuture<List<StreamMessage<String, String>>> entries =
                timed(() -> redis.xrange(keys.log(), Range.create(from + "-0", to + "-0")));
        CompletableFuture<List<String>> gone =
                timed(() -> redis.zrangebyscore(keys.gone(), Range.create(from, to)));
        return entries.thenCombine(gone, (held, deleted) -> {
            if (deleted.isEmpty()) {
                return held;
            }
            TreeMap<Long, StreamMessage<String, String>> merged = new TreeMap<>();
            held.forEach(entry -> merged.put(seqOf(entry), entry));
            deleted.forEach(seq -> merged.put(Long.parseLong(seq), new StreamMessage<>(keys.log(), seq + "-0", TOMBSTONE)));
            return List.copyOf(merged.values());
        });
    }

    /** The fields that stand for a deleted message among a club's entries. */
    static final Map<String, String> TOMBSTONE = Map.of("deleted", "1");

    static boolean isTombstone(Map<String, String> fields) {
        return fields.containsKey("deleted");
    }

    /** Publishes an operator's request to every node. */
    CompletableFuture<Long> broadcast(String message) {
        return timed(() -> redis.publish(ClubKeys.BROADCAST, message));
    }

    /** One page of the ids of the clubs Redis holds (by their epoch keys), from {@code cursor}. */
    CompletableFuture<KeyScanCursor<String>> clubIds(ScanCursor cursor) {
        return timed(() -> redis.scan(cursor, ScanArgs.Builder.matches(ClubKeys.PREFIX + "{*}:epoch").limit(500)));
    }

    /** The club's epoch (null when Redis does not hold the club) and its seq, read together. */
    CompletableFuture<Run> run(ClubKeys keys) {
        return runs(List.of(keys)).thenApply(runs -> runs.get(0));
    }

    /** Each club's run, in the order of {@code clubs}, in one command (each club's epoch and seq read together). */
    CompletableFuture<List<Run>> runs(List<ClubKeys> clubs) {
        String[] read = clubs.stream().flatMap(keys -> Stream.of(keys.epoch(), keys.seq())).toArray(String[]::new);
        return timed(() -> redis.mget(read)).thenApply(values -> {
            List<Run> runs = new ArrayList<>(clubs.size());
            for (int i = 0; i < values.size(); i += 2) {
                runs.add(new Run(values.get(i).getValueOrElse(null), Long.parseLong(values.get(i + 1).getValueOrElse("0"))));
            }
            return runs;
        });
    }

    /** A club's current run as Redis holds it: its epoch, null when Redis does not hold the club, and its seq. */
    record Run(String epoch, long seq) {
    }

    /** The club's names with their presence version, read together. */
    CompletableFuture<Presence> presence(ClubKeys keys) {
        return this.<List<Object>>run(presenceScript, ScriptOutputType.MULTI, new String[] {keys.presenceVersion(), keys.names()})
                .thenApply(read -> {
                    @SuppressWarnings("unchecked")
                    List<String> names = (List<String>) read.get(1);
                    return new Presence((Long) read.get(0), names);
                });
    }

    /** The distinct names in the club, in code point order. */
    CompletableFuture<List<String>> names(ClubKeys keys) {
        return timed(() -> redis.hkeys(keys.names())).thenApply(found -> {
            List<String> names = new ArrayList<>(found);
            names.sort(Names.CODE_POINT_ORDER);
            return names;
        });
    }

    /** A message of the club's stream as members get it, or its tombstone. */
    static ServerMessage.Numbered seenOf(String clubId, StreamMessage<String, String> entry) {
        return seenOf(clubId, seqOf(entry), entry.getBody());
    }

    /** A message, by seq and its stream fields, as members get it, or its tombstone. */
    static ServerMessage.Numbered seenOf(String clubId, long seq, Map<String, String> fields) {
        if (isTombstone(fields)) {
            return new ServerMessage.Deleted(clubId, seq);
        }
        return new ServerMessage.Chat(clubId, fields.get("from"), fields.get("message"), seq, Long.parseLong(fields.get("ts")));
    }

    static long seqOf(StreamMessage<String, String> entry) {
        String id = entry.getId();
        return Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    static String newId() {
        return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }

    /** The keys a join or a leave of one of {@code owner}'s connections changes: all the club's, in its hash slot. */
    private static String[] membershipKeys(ClubKeys keys, String owner) {
        return new String[] {keys.epoch(), keys.seq(), keys.log(), keys.names(), keys.conns(), keys.sentKeys(),
            keys.presenceVersion(), keys.gone(), keys.nodeConns(owner)};
    }

    /**
     * Gives Redis every script, so that the first of them to run does not meet NOSCRIPT (a chat that does
     * is answered {@code unavailable}: see {@link #runInOrder}); at start and again after each reconnect,
     * as Redis may have restarted without them.
     */
    CompletableFuture<Void> load() {
        return CompletableFuture.allOf(Stream.of(joinScript, chatScript, leaveScript, forgetNodeScript, forgetInClubScript,
                        presenceScript, relayScript, deleteScript, restartRunScript)
                .map(script -> timed(() -> redis.scriptLoad(script.text()))).toArray(CompletableFuture[]::new));
    }

    /**
     * Runs a script by its SHA-1; a Redis that does not have it (restarted, flushed) is given it again
     * once, and then runs it.
     */
    private <T> CompletableFuture<T> run(Script script, ScriptOutputType type, String[] keys, String... args) {
        return timed(() -> redis.<T>evalsha(script.sha(), type, keys, args))
                .exceptionallyCompose(failure -> unwrap(failure) instanceof RedisNoScriptException
                        ? timed(() -> redis.scriptLoad(script.text()))
                                .thenCompose(loaded -> timed(() -> redis.<T>evalsha(script.sha(), type, keys, args)))
                        : CompletableFuture.failedFuture(failure));
    }

    /**
     * Runs a script whose calls must take effect in the order they were sent (a sender's chats get seqs in
     * the order it sent them): one that meets NOSCRIPT is not sent again behind the commands sent after
     * it, but fails, so that its chat is answered {@code unavailable}; the script is given to Redis for
     * the ones that follow.
     */
    private <T> CompletableFuture<T> runInOrder(Script script, ScriptOutputType type, String[] keys, String... args) {
        return timed(() -> redis.<T>evalsha(script.sha(), type, keys, args)).whenComplete((value, failure) -> {
            if (failure != null && unwrap(failure) instanceof RedisNoScriptException) {
                redis.scriptLoad(script.text());
            }
        });
    }

    /** Sends one command and records how long Redis took to answer it, answered or not. */
    private <T> CompletableFuture<T> timed(Supplier<? extends CompletionStage<T>> command) {
        long start = System.nanoTime();
        CompletableFuture<T> answer = command.get().toCompletableFuture();
        answer.whenComplete((value, failure) -> metrics.redisCommandAnswered(System.nanoTime() - start));
        return answer;
    }

    /**
     * Waits for a command's answer, for the callers that must (an operator's request, the heartbeat's own
     * thread): at most the command timeout; Lettuce's {@code RedisException} when none comes.
     */
    static <T> T await(CompletableFuture<T> command) {
        try {
            return command.get(RedisClubStore.COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause()) instanceof RedisException redis ? redis : new RedisException(e.getCause());
        } catch (TimeoutException e) {
            throw new RedisException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException(e);
        }
    }

    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
    }

    /**
     * The script made of the named resources, one after the other, after a line that names the command
     * they publish with ({@code PUBLISH}, or {@code SPUBLISH} for a club's shard channel).
     */
    private static Script script(RedisClusterAsyncCommands<String, String> redis, String publish, String... names) {
        StringBuilder text = new StringBuilder("local PUBLISH = '" + publish + "'\n");
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
