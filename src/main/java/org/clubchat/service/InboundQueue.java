package org.clubchat.service;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * One connection's incoming messages kept in order while a hook is out: a message that arrives then
 * waits, and runs after the hook's answer, before any later one. Bounded by count and by bytes, so that
 * a client cannot make the server hold what it sends during a slow hook: a message past either bound is
 * refused, and the caller closes the connection. Guarded by {@code this}; the tasks run outside the lock,
 * one at a time (on the adapter's thread, or on the thread that answered the hook).
 */
final class InboundQueue {
    private static final System.Logger LOG = System.getLogger(InboundQueue.class.getName());
    /**
     * Messages that may wait at once. The allowance refuses most of a flood as it arrives, but a refusal
     * waits too (its answer keeps its place): this bounds what a client pipelines during the grace a
     * refusal gives, far above a polite client's burst.
     */
    static final int MAX_WAITING = 4096;

    /** What becomes of a message offered to the queue. */
    enum Offered { RUN_NOW, QUEUED, OVERFLOW }

    private record Waiting(Runnable task, long bytes) {
    }

    private final long maxBytes;
    /** Made when a first message has to wait, and let go of once all have run: most connections never need one. */
    private Queue<Waiting> waiting;
    private long waitingBytes;
    /** A hook is out for this connection. */
    private boolean suspended;
    /** Waiting messages are being run. */
    private boolean draining;

    /** @param maxBytes how much the waiting messages may hold together, roughly as they sit in memory */
    InboundQueue(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * @param bytes what the message holds while it waits
     * @return whether the caller runs {@code task} now, or it waits its turn here, or it is past the bounds
     *         (then it does not wait, and the connection should be closed)
     */
    synchronized Offered runNowOrQueue(Runnable task, long bytes) {
        if (!suspended && !draining && (waiting == null || waiting.isEmpty())) {
            return Offered.RUN_NOW;
        }
        if (waiting != null && waiting.size() >= MAX_WAITING || waitingBytes + bytes > maxBytes) {
            return Offered.OVERFLOW;
        }
        if (waiting == null) {
            waiting = new ArrayDeque<>();
        }
        waiting.add(new Waiting(task, bytes));
        waitingBytes += bytes;
        return Offered.QUEUED;
    }

    /** A hook went out: later messages wait for {@link #resume}. */
    synchronized void suspend() {
        suspended = true;
    }

    /**
     * The hook answered: the waiting messages run, in order, until one sends out another hook. A task
     * that throws is reported to {@code failed} (which closes the connection: its later messages then act
     * on nothing) and the drain goes on, so the queue never stays stuck.
     */
    void resume(Runnable failed) {
        synchronized (this) {
            suspended = false;
            if (draining) {
                return;
            }
            draining = true;
        }
        boolean drained = false;
        try {
            while (!drained) {
                Waiting next;
                synchronized (this) {
                    next = suspended || waiting == null ? null : waiting.poll();
                    if (next == null) {
                        if (waiting != null && waiting.isEmpty()) {
                            waiting = null;
                        }
                        draining = false;
                        drained = true;
                        continue;
                    }
                    waitingBytes -= next.bytes();
                }
                try {
                    next.task().run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "a message failed while it was handled after a hook", e);
                    failed.run();
                }
            }
        } finally {
            if (!drained) {
                // An Error on its way out: the next resume must still be able to drain.
                synchronized (this) {
                    draining = false;
                }
            }
        }
    }
}
