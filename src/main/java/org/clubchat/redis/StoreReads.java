package org.clubchat.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Reads of the history store, which block, on threads of their own (never the Redis events thread):
 * each answers within {@link #WITHIN} or counts as failed (its late answer is dropped), and one still
 * queued by then is not made at all, so a slow store is not also given a backlog.
 */
final class StoreReads implements AutoCloseable {
    /** Within this a read of the history store answers, or counts as failed (a join's run, a replay, a gap). */
    static final Duration WITHIN = Duration.ofSeconds(4);
    private static final int READERS = 4;

    private final ExecutorService readers = Executors.newFixedThreadPool(READERS, task -> {
        Thread thread = new Thread(task, "clubchat-redis-store-reads");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * What {@code read} reads, or its failure, or a timeout after {@link #WITHIN}.
     *
     * @throws java.util.concurrent.RejectedExecutionException once closed
     */
    <T> CompletableFuture<T> read(Supplier<T> read) {
        CompletableFuture<T> reading = new CompletableFuture<>();
        readers.execute(() -> {
            if (!reading.isDone()) {
                try {
                    reading.complete(read.get());
                } catch (RuntimeException e) {
                    reading.completeExceptionally(e);
                }
            }
        });
        return reading.orTimeout(WITHIN.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }
}
