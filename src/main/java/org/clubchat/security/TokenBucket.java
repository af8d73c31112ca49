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
        refill(now);
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /** Whether the bucket holds all it can: its owner has been quiet long enough to be owed nothing. */
    public boolean isFull(long now) {
        refill(now);
        return tokens >= capacity;
    }

    /**
     * Nanoseconds from {@code now} until the bucket will have given {@code wanted} tokens, counting those
     * it holds and each one taken as soon as it comes (0 if it holds them now): when the last of that
     * many events sent one after another in step with the refill is admitted.
     */
    public long nanosUntil(double wanted, long now) {
        refill(now);
        double missing = wanted - tokens;
        return missing <= 0 ? 0 : (long) Math.ceil(missing / perNano);
    }

    private void refill(long now) {
        tokens = Math.min(capacity, tokens + (now - lastRefill) * perNano);
        lastRefill = now;
    }
}
