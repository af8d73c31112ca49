package org.clubchat.db;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.clubchat.club.ClubStore;
import org.clubchat.club.Deletion;
import org.clubchat.club.Erasure;
import org.clubchat.club.MessageLog;

/**
 * The clubs' history in PostgreSQL (schema: {@code src/main/resources/db/migration}). Appends go to one
 * writer thread ({@code clubchat-db-writer}), which commits what has piled up in one transaction (up to
 * {@link #BATCH} messages): no round trip per message, and the order of each club's messages is the order
 * they were appended. Each club's appends move its {@code last_seq} on from exactly where it stood, in the
 * same transaction, so a seq is never stored twice or skipped. Reads run on the caller's thread.
 *
 * <p>When a transaction fails, everything queued behind it fails too, at once, rather than each waiting
 * for its own timeout: the clubs take back the seqs and answer {@code unavailable}, within the protocol's
 * 10 s. Every statement has {@link #STATEMENT_TIMEOUT_SECONDS}.
 *
 * <p>{@code queue} is a concurrent queue; {@code down} is volatile, written by whoever meets the store
 * failing or answering.
 *
 * <p>Longer than most classes here (about 460 lines): it is every statement of the {@code MessageLog}
 * seam (take, claim, read, delete, erase, retention), each a short method beside the SQL it runs, and the
 * writer that batches takes into one transaction; split up, a statement would sit far from the lock
 * order the others keep.
 */
public final class PostgresLog implements MessageLog {
    private static final System.Logger LOG = System.getLogger(PostgresLog.class.getName());
    /** The most messages one transaction commits. */
    static final int BATCH = 1000;
    static final int STATEMENT_TIMEOUT_SECONDS = 5;

    /** What waits for the writer: a message with its seq (a club in this node's memory), or one the store gives its seq. */
    private sealed interface Pending permits Append, Take {
        CompletableFuture<?> answer();
    }

    private record Append(Entry entry, CompletableFuture<Void> answer) implements Pending {
    }

    private record Take(Draft draft, CompletableFuture<Taken> answer) implements Pending {
    }

    private final DataSource dataSource;
    private final Runnable closeDataSource;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    /**
     * Answers the appends of each committed batch, in order, on a thread of its own: the clubs hand the
     * messages out from there, while the writer goes on with the next batch.
     */
    private final ExecutorService answers = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "clubchat-db-answers");
        thread.setDaemon(true);
        return thread;
    });
    /** Retention, and the keys of deleted messages cleared once no resend can come. */
    private final StoreUpkeep upkeep;
    private final InstantSource clock;
    /** Why the store cannot serve now, or null when it can. */
    private volatile String down;
    private volatile boolean closed;

    /**
     * @param closeDataSource closes a pool of club-chat's own (HikariCP); nothing for a container's
     * @param keep            how long messages are kept; zero keeps everything
     * @param clock           the time messages' {@code ts} are in
     */
    public PostgresLog(DataSource dataSource, Runnable closeDataSource, Duration keep, InstantSource clock) {
        this.dataSource = dataSource;
        this.closeDataSource = closeDataSource;
        this.writer = new Thread(this::write, "clubchat-db-writer");
        writer.setDaemon(true);
        writer.start();
        this.clock = clock;
        this.upkeep = new StoreUpkeep(dataSource, keep, clock, this::lost);
    }

    /** The retention and key clearing, for the tests that run a step themselves. */
    StoreUpkeep upkeep() {
        return upkeep;
    }

    @Override
    public Deletion delete(String clubId, long seq, String sender) {
        try (Connection connection = connect()) {
            Deletion outcome = StoredDeletions.delete(connection, clubId, seq, sender, resendsUntil());
            answered();
            return outcome;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public List<Erased> erase(Erasure who, Erased after, int batch) {
        try (Connection connection = connect()) {
            List<Erased> erased = StoredDeletions.erase(connection, who, after, batch, resendsUntil());
            answered();
            return erased;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Epoch milliseconds: a message accepted since then may still be sent again with its key. */
    private long resendsUntil() {
        return clock.millis() - KEYS_KEPT.toMillis();
    }

    @Override
    public Run open(String clubId, String epochCandidate, int newest, long keysSince) {
        try (Connection connection = connect()) {
            String epoch = epochCandidate;
            long lastSeq = 0;
            try (PreparedStatement club = statement(connection, "SELECT epoch, last_seq FROM clubchat_club WHERE club_id = ?")) {
                club.setString(1, clubId);
                try (ResultSet row = club.executeQuery()) {
                    if (row.next()) {
                        epoch = row.getString(1);
                        lastSeq = row.getLong(2);
                    }
                }
            }
            if (lastSeq == 0) {
                answered();
                return new Run(epoch, 0, 1, List.of(), List.of());
            }
            long firstSeq = lastSeq + 1;
            try (PreparedStatement first = statement(connection, "SELECT min(seq) FROM clubchat_message WHERE club_id = ?")) {
                first.setString(1, clubId);
                try (ResultSet row = first.executeQuery()) {
                    if (row.next() && row.getObject(1) != null) {
                        firstSeq = row.getLong(1);
                    }
                }
            }
            List<Entry> last = select(connection, epoch, "SELECT seq, ts, sender, from_name, message, send_key FROM "
                    + "(SELECT * FROM clubchat_message WHERE club_id = ? ORDER BY seq DESC LIMIT ?) newest ORDER BY seq",
                    clubId, newest);
            List<Entry> keys = select(connection, epoch, "SELECT seq, ts, sender, from_name, '' AS message, send_key "
                    + "FROM clubchat_message WHERE club_id = ? AND send_key IS NOT NULL AND ts >= ? ORDER BY seq", clubId, keysSince);
            answered();
            return new Run(epoch, lastSeq, firstSeq, last, keys);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public Run claim(String clubId, String seenEpoch, long seenSeq) {
        try (Connection connection = connect();
                PreparedStatement insert = statement(connection,
                        "INSERT INTO clubchat_club (club_id, epoch, last_seq) VALUES (?, ?, ?) ON CONFLICT (club_id) DO NOTHING");
                PreparedStatement behind = statement(connection,
                        "UPDATE clubchat_club SET last_seq = ? WHERE club_id = ? AND epoch = ? AND last_seq < ? RETURNING 1")) {
            insert.setString(1, clubId);
            insert.setString(2, seenEpoch);
            insert.setLong(3, seenSeq);
            insert.executeUpdate();
            behind.setLong(1, seenSeq);
            behind.setString(2, clubId);
            behind.setString(3, seenEpoch);
            behind.setLong(4, seenSeq);
            try (ResultSet moved = behind.executeQuery()) {
                if (moved.next()) {
                    LOG.log(Level.WARNING, "club {0}: Redis gave seqs up to {1} the store never took (a node without the store "
                            + "shares Redis, or the store was restored from a backup); they are not in its history, and it goes on after them",
                            clubId, seenSeq);
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        return open(clubId, seenEpoch, 0, Long.MAX_VALUE);
    }

    @Override
    public List<Entry> read(String clubId, long from, long to) {
        try (Connection connection = connect()) {
            String epoch;
            try (PreparedStatement club = statement(connection, "SELECT epoch FROM clubchat_club WHERE club_id = ?")) {
                club.setString(1, clubId);
                try (ResultSet row = club.executeQuery()) {
                    if (!row.next()) {
                        return List.of();
                    }
                    epoch = row.getString(1);
                }
            }
            List<Entry> entries = select(connection, epoch, "SELECT seq, ts, sender, from_name, message, send_key FROM clubchat_message "
                    + "WHERE club_id = ? AND seq BETWEEN ? AND ? ORDER BY seq", clubId, from, to);
            answered();
            return entries;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public CompletionStage<Void> append(Entry entry) {
        CompletableFuture<Void> stored = new CompletableFuture<>();
        if (closed) {
            stored.completeExceptionally(new Refused("the store is closed", null));
        } else {
            queue.add(new Append(entry, stored));
        }
        return stored;
    }

    @Override
    public CompletionStage<Taken> take(Draft draft) {
        CompletableFuture<Taken> taken = new CompletableFuture<>();
        if (closed) {
            taken.completeExceptionally(new Refused("the store is closed", null));
        } else {
            queue.add(new Take(draft, taken));
        }
        return taken;
    }

    @Override
    public Optional<String> problem() {
        return Optional.ofNullable(down);
    }

    /** Stops taking appends, commits what is queued (the writer finishes its round), and closes the pool. */
    @Override
    public void close() {
        closed = true;
        upkeep.close();
        writer.interrupt();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(STATEMENT_TIMEOUT_SECONDS * 2L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        answers.shutdown();
        try {
            answers.awaitTermination(STATEMENT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(pending -> pending.answer().completeExceptionally(new Refused("the server is stopping", null)));
        closeDataSource.run();
    }

    /** The writer's loop: a batch of what is queued, committed in one transaction, until closed. */
    private void write() {
        List<Pending> batch = new ArrayList<>(BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = closed ? queue.poll() : queue.take();
                if (first == null) {
                    return;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                if (!closed) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "the history writer failed", e);
                fail(batch, new Refused(e.toString(), e));
            } finally {
                batch.clear();
            }
        }
    }

    /**
     * Commits the batch: each club's messages move its last seq on from where the store has it, or are
     * refused as out of step. The appends are answered once the connection is given back, so the clubs'
     * hand-outs that follow do not hold it.
     */
    private void commit(List<Pending> batch) {
        List<Append> appends = batch.stream().filter(Append.class::isInstance).map(Append.class::cast).toList();
        List<Take> takes = batch.stream().filter(Take.class::isInstance).map(Take.class::cast).toList();
        List<ClubAppend> clubs = ClubAppend.of(appends.stream().map(Append::entry).toList());
        // What each append that is not committed is told, by identity (two entries may be alike).
        Map<Entry, RuntimeException> notStored = new IdentityHashMap<>();
        List<Taken> taken;
        boolean committing = false;
        try (Connection connection = connect()) {
            connection.setAutoCommit(false);
            try {
                List<Entry> accepted = new ArrayList<>(batch.size());
                Map<StoredKeys.SentKey, Long> stored = StoredKeys.find(connection, appends.stream().map(Append::entry)
                        .filter(entry -> entry.key() != null).map(ClubAppend::sentKey).toList());
                for (ClubAppend club : clubs) {
                    ClubAppend kept = club.beforeStoredKey(stored);
                    List<Entry> cut = club.entries().subList(kept.entries().size(), club.entries().size());
                    if (!cut.isEmpty()) {
                        notStored.put(cut.get(0), new KeyStored(stored.get(ClubAppend.sentKey(cut.get(0)))));
                        cut.stream().skip(1).forEach(entry -> notStored.put(entry,
                                new Refused("a message before it in the club was a resend of a stored key", null)));
                    }
                    if (kept.entries().isEmpty()) {
                        continue;
                    }
                    if (kept.advance(connection)) {
                        accepted.addAll(kept.entries());
                    } else {
                        kept.entries().forEach(entry -> notStored.put(entry,
                                new OutOfStep("the club's run or seq in the store is not where this message follows")));
                    }
                }
                taken = new SeqTaking(takes.stream().map(Take::draft).toList()).take(connection, accepted);
                insert(connection, accepted);
                committing = true;
                connection.commit();
            } catch (SQLException e) {
                if (!committing) {
                    rollback(connection);
                }
                throw e;
            } finally {
                // A container's pool may hand the connection on as it is left.
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            lost(e);
            RuntimeException failure = committing ? new Unconfirmed("the commit failed: " + e.getMessage(), e)
                    : new Refused("the store could not take it: " + e.getMessage(), e);
            fail(batch, failure);
            List<Pending> behind = new ArrayList<>();
            queue.drainTo(behind);
            fail(behind, new Refused("the store could not take it just now", e));
            return;
        }
        answered();
        answer(() -> {
            for (Append append : appends) {
                RuntimeException failure = notStored.get(append.entry());
                if (failure != null) {
                    append.answer().completeExceptionally(failure);
                } else {
                    append.answer().complete(null);
                }
            }
            for (int i = 0; i < takes.size(); i++) {
                takes.get(i).answer().complete(taken.get(i));
            }
        });
    }

    private static void insert(Connection connection, List<Entry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = statement(connection, "INSERT INTO clubchat_message "
                + "(club_id, seq, ts, sender, from_name, message, send_key) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (Entry entry : entries) {
                insert.setString(1, entry.clubId());
                insert.setLong(2, entry.seq());
                insert.setLong(3, entry.ts());
                insert.setString(4, entry.sender());
                insert.setString(5, entry.from());
                insert.setString(6, entry.message());
                insert.setString(7, entry.key());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** On the answers' thread too, behind the answers of the batches before: a club learns its fate in order. */
    private void fail(List<Pending> pendings, RuntimeException failure) {
        List<Pending> failed = List.copyOf(pendings);
        answer(() -> failed.forEach(pending -> pending.answer().completeExceptionally(failure)));
    }

    /** Runs on the answers' thread; once that has stopped (the store closing), right here. */
    private void answer(Runnable answers) {
        try {
            this.answers.execute(answers);
        } catch (RejectedExecutionException stopped) {
            answers.run();
        }
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.log(Level.DEBUG, "rollback failed: {0}", e.toString());
        }
    }

    private List<Entry> select(Connection connection, String epoch, String sql, String clubId, long parameter)
            throws SQLException {
        return select(connection, epoch, sql, clubId, parameter, null);
    }

    private List<Entry> select(Connection connection, String epoch, String sql, String clubId, long from, Long to)
            throws SQLException {
        List<Entry> entries = new ArrayList<>();
        try (PreparedStatement query = statement(connection, sql)) {
            query.setString(1, clubId);
            query.setLong(2, from);
            if (to != null) {
                query.setLong(3, to);
            }
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    entries.add(new Entry(clubId, epoch, row.getLong(1), row.getLong(2), row.getString(3), row.getString(4),
                            row.getString(5), row.getString(6)));
                }
            }
        }
        return entries;
    }

    static PreparedStatement statement(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setQueryTimeout(STATEMENT_TIMEOUT_SECONDS);
        return statement;
    }

    private Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    private ClubStore.Unavailable unavailable(SQLException e) {
        lost(e);
        return new ClubStore.Unavailable(e);
    }

    /** The store failed: said once in the log until it answers again. */
    private void lost(SQLException e) {
        if (down == null) {
            LOG.log(Level.WARNING, "the history store (PostgreSQL) is unavailable: {0}", e.getMessage());
        }
        down = "the history store (PostgreSQL) is unavailable";
    }

    private void answered() {
        if (down != null) {
            down = null;
            LOG.log(Level.INFO, "the history store (PostgreSQL) answers again");
        }
    }
}
