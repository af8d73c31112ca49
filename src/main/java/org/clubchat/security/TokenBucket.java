package org.clubchat.security;

/**
 * A token bucket: holds up to {@code capacity} tokens, gains {@code perSecond} a second, and each
 * admitted event takes one. Not thread-safe: its owner guards it.
 */
public final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1e9;
    private final double capacity;
    private final double perNano;
    private double tokens;
    private long lastRefill;

    /** Starts full at {@code now} (nanoseconds, as from {@link System#nanoTime}). */
    public TokenBucket(double capacity, double perSecond, long now) {
        this.capacity = capacity;
        this.perNano = perSecond / NANOS_PER_SECOND;
        this.tokens = capacity;
        this.lastRefill = now;
    }

    /** Takes a token if there is one. */
    public boolean tryTake(long now) {
        tokens = Math.min(capacity, tokens + (now - lastRefill) * perNano);
        lastRefill = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
