package org.clubchat.club;

import java.time.Duration;

/**
 * Above how many distinct names a club is large (docs/protocol.md, "Large clubs"): its members then get
 * a {@code count} at most once a second instead of a {@code presence} for every arrival and departure,
 * which would cost the square of the club's size. {@code later} runs a club's next count when it is due.
 */
public record PresenceLimit(int names, Later later) {
    /** The most often a large club's members get a {@code count}. */
    public static final Duration COUNT_EVERY = Duration.ofSeconds(1);
    /** The protocol's default limit. */
    public static final int DEFAULT = 1000;
    /** No limit: every club is small, and nothing is ever run later. */
    public static final PresenceLimit NONE = new PresenceLimit(Integer.MAX_VALUE, (task, delayMillis) -> {
        throw new IllegalStateException("a club without a presence limit has no count to send");
    });

    /** Runs a task once, {@code delayMillis} from now, on a thread of the server's. */
    @FunctionalInterface
    public interface Later {
        void run(Runnable task, long delayMillis);
    }

    public PresenceLimit {
        if (names < 1) {
            throw new IllegalArgumentException("a presence limit of at least 1, not " + names);
        }
    }

    /** Whether a club of this many distinct names is large. */
    boolean isLarge(int distinct) {
        return distinct > names;
    }
}
