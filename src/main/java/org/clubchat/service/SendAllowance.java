package org.clubchat.service;

import org.clubchat.security.TokenBucket;

/**
 * How fast one connection may send, and when it is flooding. Every frame takes from an allowance:
 * joins and leaves from one of their own, large enough for a client re-joining every club it may be in
 * after a reconnect ({@code clubs.max} at once, and a burst more, so that a join past the club limit is
 * told {@code too_many_clubs}); everything else from the message rate. A frame over
 * its allowance is refused ({@code rate_limited}). A client that goes on sending refused frames after it
 * could have read the first refusal is flooding: refusals within {@link #GRACE_NANOS} of the first of a
 * run cost nothing, so a pipelined burst is answered, not closed; later ones take from the flood
 * tolerance (one forgiven a second), and a connection that empties it is closed with 1008.
 *
 * <p>Not thread-safe: its {@link Connection} guards it.
 */
final class SendAllowance {
    /** What the allowance makes of one incoming frame. */
    enum Verdict { ADMITTED, RATE_LIMITED, FLOODING }

    /** How long after its first refusal a client may not have read it yet (a round trip, generously). */
    static final long GRACE_NANOS = 1_000_000_000L;
    private static final long NONE = Long.MIN_VALUE;

    private final TokenBucket messages;
    private final TokenBucket memberships;
    private final TokenBucket floodTolerance;
    /** When the current run of refusals began, and the last refusal of it; a quiet grace ends a run. */
    private long runStarted = NONE;
    private long lastRefusal = NONE;

    SendAllowance(Limits limits, long now) {
        this.messages = new TokenBucket(limits.rateBurst(), limits.ratePerSecond(), now);
        this.memberships = new TokenBucket(limits.maxClubs() + limits.rateBurst(), limits.ratePerSecond(), now);
        this.floodTolerance = new TokenBucket(limits.floodTolerance(), 1, now);
    }

    /**
     * @param membershipChange whether the frame is a join or a leave
     * @param now              in nanoseconds, as {@link System#nanoTime}
     */
    Verdict admit(boolean membershipChange, long now) {
        if ((membershipChange ? memberships : messages).tryTake(now)) {
            return Verdict.ADMITTED;
        }
        if (runStarted == NONE || now - lastRefusal > GRACE_NANOS) {
            runStarted = now;
        }
        lastRefusal = now;
        if (now - runStarted < GRACE_NANOS) {
            return Verdict.RATE_LIMITED;
        }
        return floodTolerance.tryTake(now) ? Verdict.RATE_LIMITED : Verdict.FLOODING;
    }
}
