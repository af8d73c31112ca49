package org.clubchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.clubchat.Settings;
import org.clubchat.service.SendAllowance.Kind;
import org.clubchat.service.SendAllowance.Outcome;
import org.clubchat.service.SendAllowance.Verdict;
import org.junit.jupiter.api.Test;

/**
 * Joins, leaves and pings on their own allowances; honest {@code retryAfter}; polite clients (waiting
 * {@code retryAfter}, or backing off exponentially from 20 ms) are never closed, floods are. Played on the
 * default settings, with a simulated clock and a 1 ms round trip.
 */
class SendAllowanceTest {
    private static final long MILLI = 1_000_000L;
    private static final long SECOND = 1000 * MILLI;
    private static final long ROUND_TRIP = MILLI;
    private final Limits limits = Settings.defaults().limits();

    @Test
    void joinsLeavesAndPingsHaveTheirOwnAllowances() {
        SendAllowance allowance = new SendAllowance(limits);
        for (int i = 0; i < limits.rateBurst(); i++) {
            assertEquals(Outcome.ADMITTED, allowance.admit(Kind.MESSAGE, 0).outcome(), "chat " + i);
        }
        assertEquals(Outcome.RATE_LIMITED, allowance.admit(Kind.MESSAGE, 0).outcome(), "the message burst is spent");
        for (int i = 0; i < limits.maxClubs() + limits.rateBurst(); i++) {
            assertEquals(Outcome.ADMITTED, allowance.admit(Kind.MEMBERSHIP, 0).outcome(), "join " + i);
        }
        assertEquals(Outcome.RATE_LIMITED, allowance.admit(Kind.MEMBERSHIP, 0).outcome());
        assertEquals(Outcome.ADMITTED, allowance.admit(Kind.PING, 0).outcome(), "a burst of chats costs a ping nothing");
    }

    @Test
    void retryAfterTellsEachRefusedFrameOfABurstWhenItsOwnTokenComes() {
        SendAllowance allowance = new SendAllowance(limits);
        for (int i = 0; i < limits.rateBurst(); i++) {
            allowance.admit(Kind.MESSAGE, 0);
        }
        long interval = 1000 / limits.ratePerSecond();
        for (int n = 1; n <= 10; n++) {
            Verdict verdict = allowance.admit(Kind.MESSAGE, 0);
            assertEquals(new Verdict(Outcome.RATE_LIMITED, n * interval), verdict, "refusal " + n);
        }
        assertEquals(Outcome.ADMITTED, allowance.admit(Kind.MESSAGE, interval * MILLI).outcome(), "the first resent in time");
        assertEquals(Outcome.ADMITTED, allowance.admit(Kind.MESSAGE, 2 * interval * MILLI).outcome(), "the second");
        allowance.admit(Kind.MESSAGE, 60 * SECOND);
        assertEquals(new Verdict(Outcome.ADMITTED, 0), allowance.admit(Kind.MESSAGE, 60 * SECOND),
                "a client quiet long enough is owed nothing and starts afresh");
    }

    @Test
    void aPipelinedBurstIsAnsweredAndAPingAfterItGetsItsPong() {
        SendAllowance allowance = new SendAllowance(limits);
        int admitted = 0;
        for (int i = 0; i < 300; i++) {
            Verdict verdict = allowance.admit(Kind.MESSAGE, i * 10_000L);
            assertTrue(verdict.outcome() != Outcome.FLOODING, "chat " + i);
            admitted += verdict.outcome() == Outcome.ADMITTED ? 1 : 0;
        }
        assertEquals(limits.rateBurst(), admitted);
        assertEquals(Outcome.ADMITTED, allowance.admit(Kind.PING, 3 * MILLI).outcome());
    }

    /** A client that resends each refused chat after the {@code retryAfter} it was told. */
    @Test
    void aClientThatWaitsRetryAfterIsNeverClosedAndIsRarelyRefusedTwice() {
        Played played = play(1000, 1000, (message, attempt, verdict) -> verdict.retryAfterMillis() * MILLI);
        assertEquals(1000, played.admitted, "every chat gets through");
        assertTrue(played.refusals < 1100, played.refusals + " refusals for 960 refused once");
    }

    /** Back-off from 20 ms, doubling, per message: all at once, and in pipelined batches of 20. */
    @Test
    void aClientThatBacksOffExponentiallyFrom20msIsNeverClosed() {
        for (int messages : new int[] {130, 300, 1000}) {
            Played allAtOnce = play(messages, messages, (message, attempt, verdict) -> (20L << Math.min(attempt, 20)) * MILLI);
            assertEquals(messages, allAtOnce.admitted, messages + " at once");
            Played inBatches = play(messages, 20, (message, attempt, verdict) -> (20L << Math.min(attempt, 20)) * MILLI);
            assertEquals(messages, inBatches.admitted, messages + " in batches of 20");
        }
    }

    @Test
    void aFloodIsClosedAndTheFasterTheSooner() {
        assertTrue(secondsToClose(10_000) < 1.5, "10,000 frames a second");
        assertTrue(secondsToClose(1_000) < 3, "1,000 frames a second");
        assertTrue(secondsToClose(300) < 10, "300 frames a second");
    }

    @Test
    void pingsOverTheirAllowanceAreAnsweredButAPingFloodIsClosedAsAnyOther() {
        SendAllowance allowance = new SendAllowance(limits);
        long now = 0;
        Verdict verdict;
        do {
            now += SECOND / 10_000;
            verdict = allowance.admit(Kind.PING, now);
        } while (verdict.outcome() != Outcome.FLOODING && now < 10 * SECOND);
        assertEquals(Outcome.FLOODING, verdict.outcome());
    }

    private double secondsToClose(int framesPerSecond) {
        SendAllowance allowance = new SendAllowance(limits);
        long step = SECOND / framesPerSecond;
        for (long now = 0; now < 60 * SECOND; now += step) {
            if (allowance.admit(Kind.MESSAGE, now).outcome() == Outcome.FLOODING) {
                return (double) now / SECOND;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** When a client resends a refused message, counted from when it read the refusal. */
    private interface Retry {
        long delay(int message, int attempt, Verdict verdict);
    }

    private record Played(int admitted, int refusals) {
    }

    private record Send(long at, int message, int attempt) {
    }

    /**
     * A client with {@code messages} chats to send, at most {@code window} of them unanswered at a time
     * (a new one goes out as soon as one is answered), resending refused ones as {@code retry} says.
     * Fails if the allowance ever finds it flooding.
     */
    private Played play(int messages, int window, Retry retry) {
        SendAllowance allowance = new SendAllowance(limits);
        PriorityQueue<Send> sends = new PriorityQueue<>((a, b) -> a.at() != b.at() ? Long.compare(a.at(), b.at())
                : Integer.compare(a.message(), b.message()));
        int next = 0;
        for (; next < Math.min(window, messages); next++) {
            sends.add(new Send(0, next, 0));
        }
        int admitted = 0;
        int refusals = 0;
        List<String> trace = new ArrayList<>();
        while (!sends.isEmpty()) {
            Send send = sends.poll();
            Verdict verdict = allowance.admit(Kind.MESSAGE, send.at());
            if (trace.size() < 20) {
                trace.add(send + " " + verdict);
            }
            assertTrue(verdict.outcome() != Outcome.FLOODING, () -> "closed as a flood at " + send + "; first sends: " + trace);
            long answered = send.at() + ROUND_TRIP;
            if (verdict.outcome() == Outcome.ADMITTED) {
                admitted++;
                if (next < messages) {
                    sends.add(new Send(answered, next++, 0));
                }
            } else {
                refusals++;
                sends.add(new Send(answered + retry.delay(send.message(), send.attempt(), verdict), send.message(),
                        send.attempt() + 1));
            }
        }
        return new Played(admitted, refusals);
    }
}
