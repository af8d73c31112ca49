package org.clubchat.club;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

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

    /** A message from outside the club (the HTTP API) to every member; completes with its seq once stored. */
    CompletionStage<Long> publish(String clubId, String from, String message);

    /**
     * The club as the store knows it, if it holds it.
     *
     * @throws Unavailable when the store cannot be asked now
     */
    Optional<ClubView> view(String clubId);

    /** The store (Redis) cannot answer now; the caller reports {@code unavailable}. */
    final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Clubs held by this node. */
    int size();

    /** Forgets what has been idle past the retention time (memory), or renews the node's heartbeat (Redis). */
    void sweep();

    /** How often {@link #sweep} should run; the caller keeps any period within its own bounds. */
    Duration sweepInterval();

    /** Why the store cannot serve now (for /health), or empty when it can. */
    default Optional<String> problem() {
        return Optional.empty();
    }

    @Override
    default void close() {
    }
}
