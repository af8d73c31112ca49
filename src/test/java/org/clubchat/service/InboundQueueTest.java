package org.clubchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One connection's messages keep their order around hooks: what arrives while one is out waits its turn,
 * within bounds; a failing message neither stops the queue nor leaves it stuck.
 */
class InboundQueueTest {
    private final InboundQueue queue = new InboundQueue(10_000);
    private final List<String> ran = new ArrayList<>();
    private final Runnable failed = () -> ran.add("failed");

    private InboundQueue.Offered arrive(String message, boolean sendsAHook) {
        Runnable run = () -> {
            ran.add(message);
            if (sendsAHook) {
                queue.suspend();
            }
        };
        InboundQueue.Offered offered = queue.runNowOrQueue(run, 100);
        if (offered == InboundQueue.Offered.RUN_NOW) {
            run.run();
        }
        return offered;
    }

    @Test
    void messagesWithoutHooksRunAtOnce() {
        arrive("a", false);
        arrive("b", false);
        assertEquals(List.of("a", "b"), ran);
    }

    @Test
    void messagesWaitForTheHookAndRunInOrderAfterIt() {
        arrive("join", true);
        arrive("chat 1", false);
        arrive("chat 2", false);
        assertEquals(List.of("join"), ran, "the chats wait for the join's hook");
        queue.resume(failed);
        assertEquals(List.of("join", "chat 1", "chat 2"), ran);
        arrive("chat 3", false);
        assertEquals("chat 3", ran.get(3), "nothing waits any more");
    }

    @Test
    void aWaitingMessageThatSendsAHookStopsTheDrainUntilItsAnswer() {
        arrive("join", true);
        arrive("chat with hook", true);
        arrive("after", false);
        queue.resume(failed);
        assertEquals(List.of("join", "chat with hook"), ran);
        assertEquals(InboundQueue.Offered.QUEUED, queue.runNowOrQueue(() -> ran.add("late"), 100), "still behind the second hook");
        queue.resume(failed);
        assertEquals(List.of("join", "chat with hook", "after", "late"), ran);
        assertEquals(InboundQueue.Offered.RUN_NOW, queue.runNowOrQueue(() -> { }, 100));
    }

    @Test
    void whatWaitsIsBoundedInBytesAndInCount() {
        arrive("join", true);
        for (int i = 0; i < 100; i++) {
            assertEquals(InboundQueue.Offered.QUEUED, arrive("chat " + i, false));
        }
        assertEquals(InboundQueue.Offered.OVERFLOW, arrive("one too many bytes", false));
        queue.resume(failed);
        assertEquals(101, ran.size(), "what waited ran; the overflowing one never did");

        InboundQueue roomy = new InboundQueue(Long.MAX_VALUE);
        roomy.suspend();
        for (int i = 0; i < InboundQueue.MAX_WAITING; i++) {
            assertEquals(InboundQueue.Offered.QUEUED, roomy.runNowOrQueue(() -> { }, 1));
        }
        assertEquals(InboundQueue.Offered.OVERFLOW, roomy.runNowOrQueue(() -> { }, 1));
    }

    @Test
    void aMessageThatThrowsIsReportedAndTheRestStillRun() {
        arrive("join", true);
        queue.runNowOrQueue(() -> {
            throw new IllegalStateException("a bug");
        }, 100);
        arrive("after", false);
        queue.resume(failed);
        assertEquals(List.of("join", "failed", "after"), ran);
        assertEquals(InboundQueue.Offered.RUN_NOW, queue.runNowOrQueue(() -> { }, 100), "not left draining");
    }

    @Test
    void anErrorOnItsWayOutDoesNotLeaveTheQueueDraining() {
        arrive("join", true);
        queue.runNowOrQueue(() -> {
            throw new AssertionError("out of the blue");
        }, 100);
        assertThrows(AssertionError.class, () -> queue.resume(failed));
        assertEquals(InboundQueue.Offered.RUN_NOW, queue.runNowOrQueue(() -> { }, 100), "the next message runs");
    }
}
