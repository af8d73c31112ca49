package org.clubchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clubchat.hooks.ClubChatHooks;
import org.clubchat.metrics.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hooks' queue: a call waits for a free thread within its time, and one whose time ran out is never made. */
class HookRunnerTest {
    private static final ClubChatHooks.User USER = new ClubChatHooks.User("zoë", "user-1");
    private static final long FAR = Long.MAX_VALUE / 2;
    private final ThreadPoolExecutor oneThread = new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10));
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> new Thread(task, "test-timer"));
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger asked = new AtomicInteger();

    /** Holds every call until the test releases it, and counts the calls made. */
    private final ClubChatHooks held = new ClubChatHooks() {
        @Override
        public Decision mayConnect(User user) {
            asked.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ALLOW;
        }
    };

    @AfterEach
    void stop() {
        release.countDown();
        oneThread.shutdownNow();
        timer.shutdownNow();
    }

    private HookRunner runner(Duration timeout) {
        return runner(held, timeout);
    }

    private HookRunner runner(ClubChatHooks hook, Duration timeout) {
        return new HookRunner(List.of(hook), oneThread, timer, timeout, false, new Metrics(new SimpleMeterRegistry()));
    }

    @Test
    void callBehindABusyThreadWaitsItsTurnWithinTheTimeout() throws Exception {
        HookRunner hooks = runner(Duration.ofSeconds(10));
        CompletableFuture<HookRunner.Answer> first = hooks.mayConnect(USER, System.nanoTime() + FAR);
        CompletableFuture<HookRunner.Answer> queued = hooks.mayConnect(USER, System.nanoTime() + FAR);
        release.countDown();
        assertFalse(first.get(10, TimeUnit.SECONDS).failed());
        HookRunner.Answer answer = queued.get(10, TimeUnit.SECONDS);
        assertFalse(answer.failed(), "queued, not refused because the thread was busy");
        assertInstanceOf(ClubChatHooks.Allow.class, answer.decision());
        assertEquals(2, asked.get());
    }

    @Test
    void callWhoseTimeRanOutInTheQueueGetsThePolicyAndIsNeverMade() throws Exception {
        HookRunner hooks = runner(Duration.ofMillis(200));
        CompletableFuture<HookRunner.Answer> first = hooks.mayConnect(USER, System.nanoTime() + FAR);
        CompletableFuture<HookRunner.Answer> queued = hooks.mayConnect(USER, System.nanoTime() + FAR);
        HookRunner.Answer late = queued.get(10, TimeUnit.SECONDS);
        assertTrue(late.failed());
        assertInstanceOf(ClubChatHooks.Refuse.class, late.decision(), "the refuse policy");
        assertTrue(first.get(10, TimeUnit.SECONDS).failed(), "the held call timed out too");
        release.countDown();
        oneThread.shutdown();
        assertTrue(oneThread.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(1, asked.get(), "the backend was not asked for the call that had already been answered");
    }

    @Test
    void callWithNoTimeLeftIsAnsweredByThePolicyAndNeverMade() throws Exception {
        HookRunner hooks = runner(Duration.ofSeconds(8));
        HookRunner.Answer answer = hooks.mayConnect(USER, System.nanoTime() - 1).get(1, TimeUnit.SECONDS);
        assertTrue(answer.failed());
        oneThread.shutdown();
        assertTrue(oneThread.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(0, asked.get());
    }

    @Test
    void aDeadlineSoonerThanTheTimeoutDecides() throws Exception {
        HookRunner hooks = runner(Duration.ofSeconds(8));
        long start = System.nanoTime();
        assertTrue(hooks.mayConnect(USER, start + TimeUnit.MILLISECONDS.toNanos(200)).get(5, TimeUnit.SECONDS).failed());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4), "decided at the deadline, not after the 8 s timeout");
    }

    @Test
    void whatFollowsATimeoutRunsOnTheServersTimerNotTheJdksSharedThread() throws Exception {
        HookRunner hooks = runner(Duration.ofMillis(100));
        AtomicReference<String> thread = new AtomicReference<>();
        hooks.mayConnect(USER, System.nanoTime() + FAR).thenAccept(answer -> thread.set(Thread.currentThread().getName()))
                .get(5, TimeUnit.SECONDS);
        assertEquals("test-timer", thread.get());
    }

    @Test
    void aReplacementThatBreaksTheMessageRulesIsAFailedHook() throws Exception {
        ClubChatHooks blanking = new ClubChatHooks() {
            @Override
            public Decision onChat(User user, String clubId, String message) {
                return ClubChatHooks.replace("");
            }
        };
        ClubChatHooks.Decision decision = runner(blanking, Duration.ofSeconds(5))
                .onChat(USER, "c", "hi", text -> !text.isEmpty(), System.nanoTime() + FAR).get(5, TimeUnit.SECONDS);
        assertInstanceOf(ClubChatHooks.Refuse.class, decision, "the refuse policy, not an empty message");
    }
}
