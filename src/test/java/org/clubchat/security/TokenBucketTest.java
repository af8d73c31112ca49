package org.clubchat.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void startsFullAndRefillsAtTheRateUpToTheCapacity() {
        TokenBucket bucket = new TokenBucket(3, 2, 0);
        assertTrue(bucket.tryTake(0));
        assertTrue(bucket.tryTake(0));
        assertTrue(bucket.tryTake(0));
        assertFalse(bucket.tryTake(0), "burst spent");
        assertFalse(bucket.tryTake(SECOND / 4), "half a token so far");
        assertTrue(bucket.tryTake(SECOND / 2), "one token after half a second at 2 a second");
        assertFalse(bucket.tryTake(SECOND / 2));
        assertTrue(bucket.tryTake(100 * SECOND));
        assertTrue(bucket.tryTake(100 * SECOND));
        assertTrue(bucket.tryTake(100 * SECOND));
        assertFalse(bucket.tryTake(100 * SECOND), "a long quiet spell refills no more than the capacity");
    }
}
