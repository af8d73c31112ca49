package org.clubchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One connection's messages keep their order around hooks: what arrives while one is out waits its turn. */
class InboundQueueTest {
    private final InboundQueue queue = new InboundQueue();
    private final List<String> ran = new ArrayList<>();

    private void arrive(String message, boolean sendsAHook) {
        Runnable run = () -> {
            ran.add(message);
            if (sendsAHook) {
                queue.suspend();
            }
        };
        if (queue.runNowOrQueue(run)) {
            run.run();
        }
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
        queue.resume();
        assertEquals(List.of("join", "chat 1", "chat 2"), ran);
        arrive("chat 3", false);
        assertEquals("chat 3", ran.get(3), "nothing waits any more");
    }

    @Test
    void aWaitingMessageThatSendsAHookStopsTheDrainUntilItsAnswer() {
        arrive("join", true);
        arrive("chat with hook", true);
        arrive("after", false);
        queue.resume();
        assertEquals(List.of("join", "chat with hook"), ran);
        assertFalse(queue.runNowOrQueue(() -> ran.add("late")), "still behind the second hook");
        queue.resume();
        assertEquals(List.of("join", "chat with hook", "after", "late"), ran);
        assertTrue(queue.runNowOrQueue(() -> { }));
    }
}
