package org.clubchat.service;

import java.util.concurrent.TimeUnit;
import org.clubchat.security.TokenBucket;

/**
 * How fast one connection may send, and when it is flooding. Every frame takes from an allowance of its
 * {@link Kind}: joins and leaves from one of their own, large enough for a client re-joining every club
 * it may be in after a reconnect ({@code clubs.max} at once, and a burst more, so that a join past the
 * club limit is told {@code too_many_clubs}); pings from another, so that a burst of chats never costs a
 * ping its {@code pong}; everything else from the message rate. A frame over its allowance is refused
 * ({@code rate_limited}, with {@code retryAfter}), except a ping, which is answered all the same.
 *
 * <p>{@code retryAfter} is honest for a pipelined client: the n-th frame refused in a row is told when
 * the n-th token will have come, so a client that resends each refused frame after its own
 * {@code retryAfter} finds room for it. The count of frames owed a place resets once the client has been
 * quiet long enough for its allowance to fill up.
 *
 * <p>Flooding is sending on and on regardless of refusals. Refusals within {@link #GRACE_NANOS} of the
 * first of a run cost nothing (frames pipelined before the client could read the first refusal, and the
 * quick early retries of an exponential back-off); a run ends after a quiet {@link #GRACE_NANOS}.
 * Later refusals, over-allowance pings included, take from the flood tolerance, which a tenth of it
 * refills every second: a client that keeps on being refused faster than that for long enough is closed
 * with 1008. A client that waits {@code retryAfter}, or backs off exponentially from 20 ms, never gets
 * there (SendAllowanceTest plays both).
 *
 * <p>Not thread-safe: its {@link Connection} guards it.
 */
final class SendAllowance {
    /**
     * Which allowance a frame takes from: a malformed frame takes from the messages' like any other, but is
     * answered with its own error, so it is owed no place when it is refused.
     */
    enum Kind { MESSAGE, MEMBERSHIP, PING, MALFORMED }

    /** What the allowance makes of one incoming frame. */
    enum Outcome { ADMITTED, RATE_LIMITED, FLOODING }

    /** @param retryAfterMillis for {@link Outcome#RATE_LIMITED}: when to send that frame again; 0 otherwise */
    record Verdict(Outcome outcome, long retryAfterMillis) {
        static final Verdict ADMITTED = new Verdict(Outcome.ADMITTED, 0);
        static final Verdict FLOODING = new Verdict(Outcome.FLOODING, 0);
    }

    /** How long after its first refusal a client may not have read it yet (a round trip, generously). */
    static final long GRACE_NANOS = 1_000_000_000L;
    private static final long NONE = Long.MIN_VALUE;
    /** The flood tolerance refills by a tenth of itself a second. */
    private static final int TOLERANCE_REFILL_DIVISOR = 10;

    /** One kind's bucket, and how many refused frames of that kind are owed a place in it. */
    private static final class Lane {
        final TokenBucket bucket;
        long owed;

        Lane(double capacity, double perSecond, long now) {
            this.bucket = new TokenBucket(capacity, perSecond, now);
        }

        boolean tryTake(long now, boolean owedIfRefused) {
            if (bucket.isFull(now)) {
                owed = 0;
            }
            if (bucket.tryTake(now)) {
                owed = Math.max(0, owed - 1);
                return true;
            }
            if (owedIfRefused) {
                owed++;
            }
            return false;
        }

        long retryAfterMillis(long now) {
            return Math.max(1, TimeUnit.NANOSECONDS.toMillis(bucket.nanosUntil(owed, now) + 999_999));
        }
    }

    /**
     * Each lane, and the flood tolerance, is made when first needed, full: the same as one made with the
     * connection, which would have filled up by then, but an idle connection keeps none of them.
     */
    private final Limits limits;
    private Lane messages;
    private Lane memberships;
    private Lane pings;
    private TokenBucket floodTolerance;
    /** When the current run of refusals began, and the last refusal of it; a quiet grace ends a run. */
    private long runStarted = NONE;
    private long lastRefusal = NONE;

    SendAllowance(Limits limits) {
        this.limits = limits;
    }

    /** @param now in nanoseconds, as {@link System#nanoTime} */
    Verdict admit(Kind kind, long now) {
        Lane lane = lane(kind, now);
        if (lane.tryTake(now, kind != Kind.MALFORMED)) {
            return Verdict.ADMITTED;
        }
        if (runStarted == NONE || now - lastRefusal > GRACE_NANOS) {
            runStarted = now;
        }
        lastRefusal = now;
        if (floodTolerance == null) {
            floodTolerance = new TokenBucket(limits.floodTolerance(), (double) limits.floodTolerance() / TOLERANCE_REFILL_DIVISOR, now);
        }
        if (now - runStarted >= GRACE_NANOS && !floodTolerance.tryTake(now)) {
            return Verdict.FLOODING;
        }
        return new Verdict(Outcome.RATE_LIMITED, lane.retryAfterMillis(now));
    }

    private Lane lane(Kind kind, long now) {
        return switch (kind) {
            case MEMBERSHIP -> memberships != null ? memberships
                    : (memberships = new Lane(limits.maxClubs() + limits.rateBurst(), limits.ratePerSecond(), now));
            case PING -> pings != null ? pings : (pings = new Lane(limits.rateBurst(), limits.ratePerSecond(), now));
            case MESSAGE, MALFORMED -> messages != null ? messages : (messages = new Lane(limits.rateBurst(), limits.ratePerSecond(), now));
        };
    }
}
