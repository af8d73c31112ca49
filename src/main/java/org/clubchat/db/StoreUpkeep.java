package org.clubchat.db;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.clubchat.club.MessageLog;

/**
 * What the history store does by itself, on a thread of its own ({@code clubchat-db-upkeep}): deletes the
 * messages past their retention, and clears the senders and keys deleted messages keep for resends once
 * no resend can come. Each step is short transactions, never one long lock. The executor is its only
 * state, and it runs one task at a time.
 */
final class StoreUpkeep implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(StoreUpkeep.class.getName());
    /** The most messages one retention step deletes: each is a short transaction, never one long lock. */
    static final int PURGE_BATCH = 10_000;

    private final DataSource dataSource;
    private final InstantSource clock;
    /** Told when the store fails, so that /health says so. */
    private final Consumer<SQLException> lost;
    private final ScheduledExecutorService upkeep = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "clubchat-db-upkeep");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * @param keep  how long messages are kept; zero keeps everything
     * @param clock the time messages' {@code ts} are in
     */
    StoreUpkeep(DataSource dataSource, Duration keep, InstantSource clock, Consumer<SQLException> lost) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.lost = lost;
        if (!keep.isZero()) {
            // Every tenth of the retention, at most every minute and at least every hour.
            long every = Math.max(Duration.ofMinutes(1).toMillis(), Math.min(Duration.ofHours(1).toMillis(), keep.toMillis() / 10));
            upkeep.scheduleWithFixedDelay(() -> quietly(() -> LOG.log(Level.DEBUG, "retention deleted {0} messages",
                    purge(clock.millis() - keep.toMillis()))), every, every, TimeUnit.MILLISECONDS);
        }
        upkeep.scheduleWithFixedDelay(() -> quietly(this::forgetKeys), 1, 1, TimeUnit.MINUTES);
    }

    /**
     * Deletes the messages older than {@code before} (epoch milliseconds), {@link #PURGE_BATCH} rows per
     * transaction, until none is left or the store closes: returns how many.
     */
    long purge(long before) throws SQLException {
        long deleted = 0;
        int step;
        do {
            try (Connection connection = dataSource.getConnection(); PreparedStatement delete = PostgresLog.statement(connection,
                    "DELETE FROM clubchat_message WHERE ctid IN (SELECT ctid FROM clubchat_message WHERE ts < ? LIMIT ?)")) {
                delete.setLong(1, before);
                delete.setInt(2, PURGE_BATCH);
                step = delete.executeUpdate();
            }
            deleted += step;
        } while (step == PURGE_BATCH && !upkeep.isShutdown());
        return deleted;
    }

    /** Clears the senders and keys that deleted messages kept for resends, once their 10 minutes are over: how many. */
    int forgetKeys() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return StoredDeletions.forgetKeys(connection, clock.millis() - MessageLog.KEYS_KEPT.toMillis());
        }
    }

    @Override
    public void close() {
        upkeep.shutdownNow();
    }

    private interface Step {
        void run() throws SQLException;
    }

    private void quietly(Step step) {
        try {
            step.run();
        } catch (SQLException e) {
            lost.accept(e);
        }
    }
}
