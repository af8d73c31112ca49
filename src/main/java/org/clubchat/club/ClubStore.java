package org.clubchat.club;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ServerMessage;

/**
 * Where clubs live: this server's memory ({@link ClubRegistry}, the default) or Redis, shared by several
 * nodes ({@link org.clubchat.redis.RedisClubStore}). The service sees only this seam.
 */
public interface ClubStore extends AutoCloseable {

    /**
     * Adds the member to the club: {@code joined}, any replay {@code since} asks for, then live frames
     * all reach the member's delivery in seq order; the others learn of a name new to the club.
     */
    Membership join(String clubId, Member member, OptionalLong since, String epoch, String requestId);

    /**
     * The sender that the HTTP API's exactly-once keys belong to: no connection's sender is empty (names
     * are 1–32 characters, and a token needs a {@code sub} that is not empty).
     */
    String PUBLISHER = "";

    /**
     * A message from outside the club (the HTTP API) to every member; completes once stored with its
     * seq, or with the seq a message with the same key got ({@link #PUBLISHER}'s keys, as a chat's).
     *
     * @param key the publisher's key for an exactly-once publish, or null when it gave none
     */
    CompletionStage<Stored> publish(String clubId, String from, String message, String key);

    /** Where a message stands in its club: its seq, and whether an earlier send with the same key stored it. */
    record Stored(long seq, boolean duplicate) {
    }

    /**
     * The club as the store knows it, if it holds it.
     *
     * @throws Unavailable when the store cannot be asked now
     */
    Optional<ClubView> view(String clubId);

    /**
     * Every club the store holds (with members, or empty within its retention), in id order.
     *
     * @throws Unavailable when the store cannot be asked now
     */
    List<ClubView> clubs();

    /**
     * The messages the club's history holds with seq after {@code since}, oldest first; empty when the
     * store does not hold the club.
     *
     * @throws Unavailable when the store cannot be asked now
     */
    List<ServerMessage.Numbered> messagesAfter(String clubId, long since);

    /**
     * The club's stored messages as {@code history} reads them back (docs/protocol.md, "Reading back"),
     * for an operator: without membership, and from the durable store too when the club is not held.
     *
     * @throws Unavailable when the store cannot be asked now
     */
    ServerMessage.History readBack(ClientMessage.History asked);

    /**
     * Deletes message {@code seq} of the club, whoever sent it (an operator's request), and tells its
     * members on every node: {@link Deletion#DELETED}, {@link Deletion#ALREADY_DELETED} or
     * {@link Deletion#NOT_FOUND}.
     *
     * @throws Unavailable when the store cannot be asked now
     */
    Deletion delete(String clubId, long seq);

    /**
     * Deletes every message {@code who} names in every club, as {@link #delete} does, in short steps
     * that never hold a club (or the durable store) for long.
     *
     * @return how many it deleted
     * @throws Unavailable when the store cannot be asked now (what it deleted until then stays deleted)
     */
    long erase(Erasure who);

    /**
     * Hands {@code message} to the broadcast listener of every node that shares these clubs, this one
     * included: at once in memory, through Redis in Redis mode (operators' requests that concern
     * connections wherever they are).
     */
    void broadcast(String message);

    /** Where {@link #broadcast} messages go on this node; set once, at start. */
    void onBroadcast(Consumer<String> listener);

    /** The store (Redis) cannot answer now; the caller reports {@code unavailable}. */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * The longest this store may take to answer a join once asked (a chat's answer is bounded from its
     * frame's arrival, see {@link Membership#chat}): what the application's hooks must leave of the
     * protocol's 10 s.
     */
    default Duration answerTime() {
        return Duration.ZERO;
    }

    /**
     * The store holds as many clubs as it may, and the request would have made a new one: nothing was
     * stored; the caller reports {@code unavailable}.
     */
    final class Full extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Full(int maxClubs) {
            super("the server holds as many clubs as it may (" + maxClubs + "); try again later", null, false, false);
        }
    }

    /** Clubs held by this node. */
    int size();

    /** Forgets what has been idle past the retention time (memory), or renews the node's heartbeat (Redis). */
    void sweep();

    /** How often {@link #sweep} should run; the caller keeps any period within its own bounds. */
    Duration sweepInterval();

    /**
     * What the store depends on outside this process, by the name /health gives it ({@code redis},
     * {@code db}): true for each that serves now. Empty for clubs in memory only.
     */
    default Map<String, Boolean> backends() {
        return Map.of();
    }

    @Override
    default void close() {
    }
}
