package org.clubchat.delivery;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The bytes queued in every outbox of the server together, against one budget: each connection's own
 * bound only limits a client that stops reading, while an overloaded server (more to send than its
 * writers get through) would queue without end and run out of memory. Past the budget, {@code shed}
 * is asked to free the excess (the registry closes the connections with the largest backlogs), down to
 * nine tenths of the budget so that shedding does not run for every frame.
 *
 * <p>Thread-safe: the count is atomic, and {@code shedding} lets one shed run at a time, on
 * {@code shedder}, never on the thread that queued the frame (which may hold a club's lock).
 */
public final class OutboxBudget {
    /** No budget: for outboxes outside a server (tests). */
    public static final OutboxBudget UNLIMITED = new OutboxBudget(Long.MAX_VALUE, Runnable::run, bytes -> { });

    private final long limit;
    private final Executor shedder;
    private final LongConsumer shed;
    private final AtomicLong queued = new AtomicLong();
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

    void add(long bytes) {
        if (queued.addAndGet(bytes) > limit && shedding.compareAndSet(false, true)) {
            try {
                shedder.execute(this::shed);
            } catch (RejectedExecutionException e) {
                // Stopping: every connection is being closed anyway.
                shedding.set(false);
            }
        }
    }

    void release(long bytes) {
        queued.addAndGet(-bytes);
    }

    /** What all outboxes hold now. */
    public long queued() {
        return queued.get();
    }

    private void shed() {
        try {
            long excess = queued.get() - limit / 10 * 9;
            if (excess > 0) {
                shed.accept(excess);
            }
        } finally {
            shedding.set(false);
        }
    }
}
