package org.clubchat.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

/** All outboxes against one budget: counted as frames queue and leave, shed once past it. */
class OutboxBudgetTest {

    private static Frame frame(int bytes) {
        return new Frame(ServerMessage.Pong.INSTANCE, "x".repeat(bytes));
    }

    @Test
    void queuedBytesAreCountedAcrossOutboxesAndGivenBackAsTheyLeave() {
        List<Runnable> sends = new ArrayList<>();
        OutboxBudget budget = new OutboxBudget(1000, Runnable::run, bytes -> { });
        Transport quiet = new Transport() {
            @Override
            public int batchBytes() {
                return Integer.MAX_VALUE;
            }

            @Override
            public void send(List<Frame> frames, java.util.function.Consumer<Throwable> done) {
                done.accept(null);
            }

            @Override
            public void ping() {
            }

            @Override
            public void close(Close reason) {
            }
        };
        Outbox a = new Outbox(quiet, 1 << 20, budget, sends::add, Runnable::run);
        Outbox b = new Outbox(quiet, 1 << 20, budget, sends::add, Runnable::run);
        a.offer(frame(100));
        a.offer(frame(50));
        b.offer(frame(30));
        assertEquals(180, budget.queued());
        sends.remove(0).run();
        assertEquals(30, budget.queued(), "a's frames went out");
        b.abort(Closes.SHUTDOWN);
        assertEquals(0, budget.queued(), "b's queue was dropped");
    }

    @Test
    void pastTheBudgetTheShedIsAskedForTheExcessDownToNineTenths() {
        List<Long> asked = new ArrayList<>();
        OutboxBudget budget = new OutboxBudget(1000, Runnable::run, asked::add);
        budget.add(1000, OutboxBudget.CHECK_FROM);
        assertEquals(List.of(), asked, "at the budget, not past it");
        budget.add(100, OutboxBudget.CHECK_FROM - 1);
        assertEquals(List.of(), asked, "past it, but told by an outbox without a backlog worth shedding");
        budget.add(100, OutboxBudget.CHECK_FROM);
        assertEquals(List.of(1200L - 900L), asked);
    }
}
