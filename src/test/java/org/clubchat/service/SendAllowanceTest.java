package org.clubchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Joins and leaves on their own allowance; a burst answered, a flood closed. */
class SendAllowanceTest {
    private static final long SECOND = 1_000_000_000L;
    private final Limits limits = new Limits(2000, 10, 20, 40, 100, 100, 1 << 20, Duration.ofSeconds(30), Duration.ofSeconds(90));

    @Test
    void joinsAndLeavesHaveTheirOwnAllowanceOfClubsMaxAtOnce() {
        SendAllowance allowance = new SendAllowance(limits, 0);
        for (int i = 0; i < 40; i++) {
            assertEquals(SendAllowance.Verdict.ADMITTED, allowance.admit(false, 0), "chat " + i);
        }
        assertEquals(SendAllowance.Verdict.RATE_LIMITED, allowance.admit(false, 0), "the message burst is spent");
        for (int i = 0; i < 100; i++) {
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
        for (int i = 0; i < 10_000; i++) {
            assertEquals(SendAllowance.Verdict.RATE_LIMITED, allowance.admit(false, i * 10_000L), "refusal " + i);
        }
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
        org.junit.jupiter.api.Assertions.assertTrue(counted >= 99 && counted <= 101, () -> counted + " refusals counted");
    }
}
