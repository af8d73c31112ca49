package org.clubchat.delivery;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Threads for work that may block on a peer: a fixed number, and one more for each task that has held
 * its thread for {@link #STUCK_AFTER} and waits. A blocking send to a client that stopped reading (a
 * container's session, socket.io's WebSocket in the WAR), or a container's close of its connection,
 * waits until the container gives up on it or the connection is closed (10 s), so with a fixed pool a
 * few such clients would hold every thread while everyone else's frames, pings, heartbeats and closes
 * waited behind them.
 * Past {@link #maxThreads} a crowd of clients that all stop reading at once holds the rest until their
 * sends fail, as a fixed pool would.
 *
 * <p>{@link #adjust}, run by the composition root's timer every {@link #ADJUST_EVERY}, sets the number
 * of threads; the executor starts the added ones for the tasks that wait, and lets the extra ones go
 * once they have been idle for {@link #KEEP_ALIVE}. Thread-safe: each thread writes its own
 * {@code busy} and {@code busySince} (volatile) and only {@link #adjust} reads them; {@code threads} is a
 * concurrent set; the pool's sizes are the executor's own.
 */
public final class BlockingPool extends ThreadPoolExecutor {
    /** A task that has held its thread this long, and waits, is counted as stuck: a thread is added for it. */
    public static final Duration STUCK_AFTER = Duration.ofMillis(50);
    /** How often the timer should run {@link #adjust}: with {@link #STUCK_AFTER}, the most the others wait. */
    public static final Duration ADJUST_EVERY = Duration.ofMillis(20);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(5);

    private final int baseThreads;
    private final int maxThreads;
    private final Set<PoolThread> threads = ConcurrentHashMap.newKeySet();

    /**
     * @param made told of every thread made, before it starts (the composition root joins them on close)
     */
    public BlockingPool(String name, int baseThreads, int maxThreads, Consumer<Thread> made) {
        super(baseThreads, maxThreads, KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        this.baseThreads = baseThreads;
        this.maxThreads = maxThreads;
        setThreadFactory(task -> {
            PoolThread thread = new PoolThread(task, name);
            made.accept(thread);
            return thread;
        });
    }

    /** Sets the number of threads to the base and one for each stuck task, at most {@code maxThreads}. */
    public void adjust() {
        int wanted = Math.min(maxThreads, baseThreads + stuck());
        if (wanted != getCorePoolSize()) {
            setCorePoolSize(wanted);
        }
    }

    /**
     * The tasks that have held their thread for {@link #STUCK_AFTER} or longer and are waiting now (for
     * a socket to take a write, for a container's completion). A thread that runs, or waits for a lock,
     * is not stuck on a peer but busy: on a server whose core is full, more threads would only cut its
     * batches smaller (a club of 1000 filled in 7.0 s instead of 4.2 s on Tomcat).
     */
    public int stuck() {
        long now = System.nanoTime();
        int stuck = 0;
        for (PoolThread thread : threads) {
            if (thread.busy && now - thread.busySince >= STUCK_AFTER.toNanos() && waiting(thread.getState())) {
                stuck++;
            }
        }
        return stuck;
    }

    private static boolean waiting(Thread.State state) {
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    @Override
    protected void beforeExecute(Thread thread, Runnable task) {
        PoolThread poolThread = (PoolThread) thread;
        poolThread.busySince = System.nanoTime();
        poolThread.busy = true;
    }

    @Override
    protected void afterExecute(Runnable task, Throwable failure) {
        ((PoolThread) Thread.currentThread()).busy = false;
    }

    /** A pool thread that says since when it has run its task; it is in {@code threads} while it lives. */
    private final class PoolThread extends Thread {
        volatile boolean busy;
        volatile long busySince;

        PoolThread(Runnable task, String name) {
            super(task, name);
            setDaemon(true);
        }

        @Override
        public void run() {
            threads.add(this);
            try {
                super.run();
            } finally {
                threads.remove(this);
            }
        }
    }
}
