package org.clubchat.delivery;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * The bytes queued in every outbox of the server together, against one budget: each connection's own
 * bound only limits a client that stops reading, while an overloaded server (more to send than its
 * writers get through) would queue without end and run out of memory. Past the budget, {@code shed}
 * is asked to free the excess (the registry closes the connections with the largest backlogs), down to
 * nine tenths of the budget so that shedding does not run for every frame.
 *
 * <p>The count is kept on every offer and send, so it is a {@link LongAdder}, which threads add to
 * without contending; adding up its cells costs more, so the total is looked at only by an outbox whose
 * own backlog has passed {@link #CHECK_FROM}: a server over its budget has such backlogs, and they are
 * the ones shed. Thread-safe: {@code shedding} lets one shed run at a time, on {@code shedder}, never on
 * the thread that queued the frame (which may hold a club's lock).
 */
public final class OutboxBudget {
    /** No budget: for outboxes outside a server (tests). */
    public static final OutboxBudget UNLIMITED = new OutboxBudget(Long.MAX_VALUE, Runnable::run, bytes -> { });

    private final long limit;
    private final Executor shedder;
    private final LongConsumer shed;
    /** An outbox's backlog from which its offers look at the total. */
    static final long CHECK_FROM = 64 * 1024;

    private final LongAdder queued = new LongAdder();
    private final AtomicBoolean shedding = new AtomicBoolean();

    /**
     * @param limit   the most bytes (UTF-8) all outboxes may hold together
     * @param shedder runs {@code shed}
     * @param shed    frees at least the given number of queued bytes
     */
    public OutboxBudget(long limit, Executor shedder, LongConsumer shed) {
        this.limit = limit;
        this.shedder = shedder;
        this.shed = shed;
    }

    /** @param backlog the bytes the adding outbox holds, these included */
    void add(long bytes, long backlog) {
        queued.add(bytes);
        if (backlog >= CHECK_FROM && queued.sum() > limit && shedding.compareAndSet(false, true)) {
            try {
                shedder.execute(this::shed);
            } catch (RejectedExecutionException e) {
                // Stopping: every connection is being closed anyway.
                shedding.set(false);
            }
        }
    }

    void release(long bytes) {
        queued.add(-bytes);
    }

    /** What all outboxes hold now. */
    public long queued() {
        return queued.sum();
    }

    private void shed() {
        try {
            long excess = queued.sum() - limit / 10 * 9;
            if (excess > 0) {
                shed.accept(excess);
            }
        } finally {
            shedding.set(false);
        }
    }
}
