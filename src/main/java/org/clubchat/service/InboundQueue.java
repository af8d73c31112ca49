package org.clubchat.service;

import java.util.ArrayDeque;
import java.util.Queue;

/**
 * One connection's incoming messages kept in order while a hook is out: a message that arrives then
 * waits, and runs after the hook's answer, before any later one. Guarded by {@code this}; the tasks run
 * outside the lock, one at a time (on the adapter's thread, or on the thread that answered the hook).
 */
final class InboundQueue {
    private final Queue<Runnable> waiting = new ArrayDeque<>();
    /** A hook is out for this connection. */
    private boolean suspended;
    /** Waiting messages are being run. */
    private boolean draining;

    /** @return true if the caller runs {@code task} now; false if it waits its turn here */
    synchronized boolean runNowOrQueue(Runnable task) {
        if (suspended || draining || !waiting.isEmpty()) {
            waiting.add(task);
            return false;
        }
        return true;
    }

    /** A hook went out: later messages wait for {@link #resume}. */
    synchronized void suspend() {
        suspended = true;
    }

    /** The hook answered: the waiting messages run, in order, until one sends out another hook. */
    void resume() {
        synchronized (this) {
            suspended = false;
            if (draining) {
                return;
            }
            draining = true;
        }
        while (true) {
            Runnable next;
            synchronized (this) {
                next = suspended ? null : waiting.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            next.run();
        }
    }
}
