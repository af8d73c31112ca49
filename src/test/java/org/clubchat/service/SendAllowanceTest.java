package org.clubchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Joins and leaves on their own allowance; a burst answered, a flood closed. */
class SendAllowanceTest {
    private static final long SECOND = 1_000_000_000L;
    private final Limits limits = new Limits(2000, 10, 20, 40, 100, 100, 1 << 20, Duration.ofSeconds(30), Duration.ofSeconds(90));

    @Test
    void joinsAndLeavesHaveTheirOwnAllowanceOfClubsMaxAndABurstAtOnce() {
        SendAllowance allowance = new SendAllowance(limits, 0);
        for (int i = 0; i < 40; i++) {
            assertEquals(SendAllowance.Verdict.ADMITTED, allowance.admit(false, 0), "chat " + i);
        }
        assertEquals(SendAllowance.Verdict.RATE_LIMITED, allowance.admit(false, 0), "the message burst is spent");
        for (int i = 0; i < 100 + 40; i++) {
            assertEquals(SendAllowance.Verdict.ADMITTED, allowance.admit(true, 0), "join " + i);
        }
        assertEquals(SendAllowance.Verdict.RATE_LIMITED, allowance.admit(true, 0));
    }

    @Test
    void refusalsWithinASecondOfTheFirstCostNothing() {
        SendAllowance allowance = new SendAllowance(limits, 0);
        for (int i = 0; i < 40; i++) {
            allowance.admit(false, 0);
        }
        int refused = 0;
        // 10,000 frames within 0.9 s: the bucket lets some 18 through meanwhile, and refuses the rest.
        for (int i = 0; i < 10_000; i++) {
            SendAllowance.Verdict verdict = allowance.admit(false, i * 90_000L);
            assertTrue(verdict != SendAllowance.Verdict.FLOODING, "frame " + i);
            refused += verdict == SendAllowance.Verdict.RATE_LIMITED ? 1 : 0;
        }
        assertTrue(refused > 9_900, refused + " refused");
    }

    @Test
    void aClientThatGoesOnAfterTheGraceRunsDownItsToleranceAndIsClosed() {
        SendAllowance allowance = new SendAllowance(limits, 0);
        for (int i = 0; i < 40; i++) {
            allowance.admit(false, 0);
        }
        long now = 0;
        int refusedAfterGrace = 0;
        SendAllowance.Verdict verdict = SendAllowance.Verdict.RATE_LIMITED;
        // A refusal every millisecond for three seconds; the bucket refills 20 a second meanwhile.
        while (verdict != SendAllowance.Verdict.FLOODING && now < 3 * SECOND) {
            now += 1_000_000L;
            verdict = allowance.admit(false, now);
            if (verdict == SendAllowance.Verdict.RATE_LIMITED && now >= SendAllowance.GRACE_NANOS) {
                refusedAfterGrace++;
            }
        }
        assertEquals(SendAllowance.Verdict.FLOODING, verdict);
        int counted = refusedAfterGrace;
        assertTrue(counted >= 99 && counted <= 101, () -> counted + " refusals counted");
    }
}
