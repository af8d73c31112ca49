package org.clubchat.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.clubchat.club.ClubStore;
import org.clubchat.club.Deletion;
import org.clubchat.club.Erasure;
import org.clubchat.club.MessageLog;
import org.clubchat.club.MessageLog.Entry;
import org.clubchat.protocol.ServerMessage;
import org.clubchat.support.Await;
import org.clubchat.support.PostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/** The history store against a real PostgreSQL: batched appends, gapless runs, reads, and a server that goes away. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresLogIT {
    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer();
    private PostgresLog log;

    @BeforeAll
    void start() throws Exception {
        log = Databases.pooled(postgres.url(), postgres.user(), "", true, Duration.ZERO);
    }

    @AfterAll
    void stop() throws Exception {
        if (log != null) {
            log.close();
        }
    }

    private static Entry entry(String club, String epoch, long seq) {
        return new Entry(club, epoch, seq, 1_795_000_000_000L + seq, "alice", "앨리스", "메시지 " + seq + " 🎉 café", "k" + seq);
    }

    private static void stored(CompletableFuture<Void> append) throws Exception {
        append.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aClubIsHeldFromItsFirstMessageAndItsRunComesBackWhole() throws Exception {
        MessageLog.Run fresh = log.open("pg-run", "e1", 100, 0);
        assertEquals(new MessageLog.Run("e1", 0, 1, List.of(), List.of()), fresh, "a join alone stores nothing");
        List<CompletableFuture<Void>> appends = new ArrayList<>();
        for (long seq = 1; seq <= 2500; seq++) {
            appends.add(log.append(entry("pg-run", "e1", seq)).toCompletableFuture());
        }
        for (CompletableFuture<Void> append : appends) {
            stored(append);
        }
        MessageLog.Run run = log.open("pg-run", "another candidate", 100, 0);
        assertEquals("e1", run.epoch(), "the stored run, not the candidate");
        assertEquals(2500, run.lastSeq());
        assertEquals(1, run.firstSeq());
        assertEquals(100, run.newest().size());
        assertEquals(entry("pg-run", "e1", 2401), run.newest().get(0));
        assertEquals(entry("pg-run", "e1", 2500), run.newest().get(99), "Korean, emoji and accents intact");
        assertEquals(2500, run.recentKeys().size());
        assertEquals(List.of(entry("pg-run", "e1", 7), entry("pg-run", "e1", 8)), log.read("pg-run", 7, 8));
        assertEquals(List.of(), log.read("pg-none", 1, 10));
    }

    @Test
    void anAppendThatDoesNotContinueTheRunIsRefusedAndTheRunGoesOn() throws Exception {
        stored(log.append(entry("pg-gap", "e", 1)).toCompletableFuture());
        ExecutionException skipped = assertThrows(ExecutionException.class,
                () -> stored(log.append(entry("pg-gap", "e", 3)).toCompletableFuture()));
        assertInstanceOf(MessageLog.OutOfStep.class, skipped.getCause());
        ExecutionException twice = assertThrows(ExecutionException.class, () -> stored(log.append(
                new Entry("pg-gap", "e", 1, 1_795_000_000_001L, "alice", "앨리스", "seq 1 again", null)).toCompletableFuture()));
        assertInstanceOf(MessageLog.OutOfStep.class, twice.getCause());
        ExecutionException resent = assertThrows(ExecutionException.class,
                () -> stored(log.append(entry("pg-gap", "e", 1)).toCompletableFuture()));
        assertEquals(1, assertInstanceOf(MessageLog.KeyStored.class, resent.getCause()).seq(), "its key is stored");
        ExecutionException otherRun = assertThrows(ExecutionException.class,
                () -> stored(log.append(entry("pg-gap", "not e", 2)).toCompletableFuture()));
        assertInstanceOf(MessageLog.OutOfStep.class, otherRun.getCause());
        stored(log.append(entry("pg-gap", "e", 2)).toCompletableFuture());
        assertEquals(2, log.open("pg-gap", "x", 10, 0).lastSeq());
    }

    /**
     * Two stores on one database, as two nodes, take seqs for the same clubs at once: every club's seqs are
     * 1 to n, each given once, in each store's order of its own drafts; keys resent (in one batch, on the
     * other node) are duplicates that take no seq; the first draft's candidate begins a new club's run.
     */
    @Test
    void twoNodesTakingSeqsForTheSameClubsGetThemGaplessAndOnce() throws Exception {
        try (PostgresLog other = Databases.pooled(postgres.url(), postgres.user(), "", true, Duration.ZERO)) {
            List<CompletableFuture<MessageLog.Taken>> mine = new ArrayList<>();
            List<CompletableFuture<MessageLog.Taken>> theirs = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                String club = "pg-take-" + (i % 3);
                mine.add(log.take(draft(club, "mine " + i, null)).toCompletableFuture());
                theirs.add(other.take(draft(club, "theirs " + i, null)).toCompletableFuture());
            }
            Map<String, Set<Long>> seqs = new HashMap<>();
            Map<String, Long> lastMine = new HashMap<>();
            for (int i = 0; i < 1500; i++) {
                String club = "pg-take-" + (i % 3);
                MessageLog.Taken taken = mine.get(i).get(10, TimeUnit.SECONDS);
                assertTrue(taken.seq() > lastMine.getOrDefault(club, 0L), "one node's drafts in its order");
                lastMine.put(club, taken.seq());
                assertTrue(seqs.computeIfAbsent(club, c -> new HashSet<>()).add(taken.seq()), "each seq once");
                assertTrue(seqs.get(club).add(theirs.get(i).get(10, TimeUnit.SECONDS).seq()), "each seq once, across nodes");
            }
            for (int c = 0; c < 3; c++) {
                String club = "pg-take-" + c;
                assertEquals(1000, seqs.get(club).size());
                assertEquals(1000, Collections.max(seqs.get(club)), "no seq skipped");
                assertEquals(1000, log.read(club, 1, 2000).size());
                assertEquals("e-" + club, log.claim(club, "late", 0).epoch(), "the first draft's candidate began the run");
            }

            CompletableFuture<MessageLog.Taken> first = log.take(draft("pg-take-keys", "키 🔑", "k")).toCompletableFuture();
            CompletableFuture<MessageLog.Taken> again = log.take(draft("pg-take-keys", "키 🔑", "k")).toCompletableFuture();
            assertEquals(new MessageLog.Taken("e-pg-take-keys", 1, false), first.get(10, TimeUnit.SECONDS));
            assertEquals(new MessageLog.Taken("e-pg-take-keys", 1, true), again.get(10, TimeUnit.SECONDS), "a resend in one batch");
            assertEquals(new MessageLog.Taken("e-pg-take-keys", 1, true),
                    other.take(draft("pg-take-keys", "키 🔑", "k")).toCompletableFuture().get(10, TimeUnit.SECONDS), "on another node");
            assertEquals(2, other.take(draft("pg-take-keys", "next", "k2")).toCompletableFuture().get(10, TimeUnit.SECONDS).seq(),
                    "the resends took no seq");
        }
    }

    private static MessageLog.Draft draft(String club, String message, String key) {
        return new MessageLog.Draft(club, "e-" + club, 1_795_000_000_000L, "alice", "앨리스", message, key);
    }

    /**
     * A claim makes a new club's run, once, with the seq Redis held: every node that claims it after gets
     * the same. Seqs Redis gave in that run without the store move the store on; another run's do not.
     */
    @Test
    void aClaimMakesTheRunOnceAndKeepsIt() {
        assertEquals(new MessageLog.Run("first", 0, 1, List.of(), List.of()), log.claim("pg-claim", "first", 0));
        assertEquals(new MessageLog.Run("first", 0, 1, List.of(), List.of()), log.claim("pg-claim", "second", 0));
        assertEquals(new MessageLog.Run("first", 7, 8, List.of(), List.of()), log.claim("pg-claim", "first", 7), "ahead in its run");
        assertEquals(new MessageLog.Run("first", 7, 8, List.of(), List.of()), log.claim("pg-claim", "first", 5), "never back");
        assertEquals(new MessageLog.Run("first", 7, 8, List.of(), List.of()), log.claim("pg-claim", "other", 9), "another run");
        assertEquals(new MessageLog.Run("redis", 12, 13, List.of(), List.of()), log.claim("pg-claim-redis", "redis", 12),
                "a club only Redis held goes on in its run");
    }

    /** An append whose key its sender stored before, long ago, is that duplicate; the club's appends after it in the batch are refused. */
    @Test
    void anAppendOfAStoredKeyIsTheDuplicateItIs() throws Exception {
        stored(log.append(entry("pg-stored-key", "e", 1)).toCompletableFuture());
        CompletableFuture<Void> fresh = log.append(entry("pg-stored-key", "e", 2)).toCompletableFuture();
        Entry resent = new Entry("pg-stored-key", "e", 3, 1_795_000_000_003L, "alice", "앨리스", "again", "k1");
        CompletableFuture<Void> duplicate = log.append(resent).toCompletableFuture();
        CompletableFuture<Void> behind = log.append(entry("pg-stored-key", "e", 4)).toCompletableFuture();
        stored(fresh);
        ExecutionException stored = assertThrows(ExecutionException.class, () -> duplicate.get(10, TimeUnit.SECONDS));
        assertEquals(1, assertInstanceOf(MessageLog.KeyStored.class, stored.getCause()).seq());
        ExecutionException refused = assertThrows(ExecutionException.class, () -> behind.get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof MessageLog.Refused || refused.getCause() instanceof MessageLog.OutOfStep,
                refused::toString);
        assertEquals(2, log.open("pg-stored-key", "x", 10, 0).lastSeq(), "the run goes on after the last stored");
    }

    @Test
    void aStoppedServerFailsAppendsAndReadsWithinSecondsAndTheStoreComesBack() throws Exception {
        stored(log.append(entry("pg-down", "e", 1)).toCompletableFuture());
        postgres.stop();
        try {
            long start = System.nanoTime();
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> stored(log.append(entry("pg-down", "e", 2)).toCompletableFuture()));
            assertTrue(failed.getCause() instanceof MessageLog.Refused || failed.getCause() instanceof MessageLog.Unconfirmed,
                    failed::toString);
            assertThrows(ClubStore.Unavailable.class, () -> log.read("pg-down", 1, 1));
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(8)) < 0, "failed in time");
            assertTrue(log.problem().isPresent());
        } finally {
            postgres.startAgain();
        }
        Await.until(Duration.ofSeconds(20), () -> {
            try {
                return log.read("pg-down", 1, 1).size() == 1;
            } catch (ClubStore.Unavailable stillDown) {
                return false;
            }
        }, () -> "the pool reconnects by itself");
        long last = log.open("pg-down", "x", 1, 0).lastSeq();
        stored(log.append(entry("pg-down", "e", last + 1)).toCompletableFuture());
        assertTrue(log.problem().isEmpty());
    }

    @Test
    void withoutMigrationsAFreshDatabaseIsRefusedWithAClearWord() throws Exception {
        try (var connection = postgres.connect(); var statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE unmigrated");
        }
        String url = postgres.url().replace("/postgres", "/unmigrated");
        RuntimeException refused = assertThrows(RuntimeException.class,
                () -> Databases.pooled(url, postgres.user(), "", false, Duration.ZERO));
        assertTrue(refused.getMessage().toLowerCase().contains("migration") || refused.getMessage().toLowerCase().contains("schema"),
                refused::getMessage);
    }

    /** Retention deletes by age, 10,000 rows a transaction, and leaves each club's run where it stands. */
    @Test
    void retentionDeletesWhatIsOldInBatchesAndKeepsTheRun() throws Exception {
        long old = 1_000_000L;
        List<CompletableFuture<Void>> appends = new ArrayList<>();
        for (long seq = 1; seq <= 25_000; seq++) {
            appends.add(log.append(new Entry("pg-old", "e", seq, seq <= 24_990 ? old : 5_000_000L, "alice", "alice", "m", null))
                    .toCompletableFuture());
        }
        for (CompletableFuture<Void> append : appends) {
            stored(append);
        }
        assertEquals(24_990, log.upkeep().purge(2_000_000L));
        MessageLog.Run run = log.open("pg-old", "x", 5, 0);
        assertEquals(25_000, run.lastSeq(), "the run goes on where it stood");
        assertEquals(24_991, run.firstSeq(), "the oldest held is after what was deleted");
        assertEquals(10, log.read("pg-old", 1, 25_000).size());
    }

    @Test
    void aDeletionLeavesTheSeqAndNothingOfWhatWasSaidAndAnErasureGoesInBatches() throws Exception {
        String club = "pg-delete";
        for (long seq = 1; seq <= 5; seq++) {
            stored(log.append(new Entry(club, "e1", seq, 1_795_000_000_000L + seq, "dora", "도라", "메시지 " + seq, null))
                    .toCompletableFuture());
        }
        long now = System.currentTimeMillis();
        stored(log.append(new Entry(club, "e1", 6, now, "dora", "도라", "방금 🎉", "fresh")).toCompletableFuture());
        assertEquals(Deletion.FORBIDDEN, log.delete(club, 1, "bob"));
        assertEquals(Deletion.DELETED, log.delete(club, 1, "dora"));
        assertEquals(Deletion.ALREADY_DELETED, log.delete(club, 1, null));
        assertEquals(Deletion.NOT_FOUND, log.delete(club, 99, null));
        assertEquals(Deletion.DELETED, log.delete(club, 6, null), "an operator deletes anyone's");
        assertEquals(List.of("|null|null|null", "dora|null|null|fresh"), rows(club, 1, 6),
                "an old message keeps nothing; a new one keeps its sender and key for resends");
        var resent = log.append(new Entry(club, "e1", 7, now, "dora", "도라", "방금 🎉", "fresh")).toCompletableFuture();
        var failure = assertThrows(ExecutionException.class, () -> resent.get(10, TimeUnit.SECONDS));
        assertEquals(6, assertInstanceOf(MessageLog.KeyStored.class, failure.getCause()).seq(), "the deleted message cannot come back");

        List<MessageLog.Erased> first = log.erase(Erasure.ofSub("dora"), null, 2);
        assertEquals(List.of(new MessageLog.Erased(club, 2), new MessageLog.Erased(club, 3)), first, "in (club, seq) order");
        assertEquals(List.of(new MessageLog.Erased(club, 4), new MessageLog.Erased(club, 5)), log.erase(Erasure.ofSub("dora"), first.get(1), 2));
        assertEquals(List.of(), log.erase(Erasure.ofSub("dora"), null, 2), "seqs 2-5 were dora's");
        assertTrue(log.read(club, 1, 6).stream().allMatch(Entry::isDeleted));
        assertEquals(List.of(new ServerMessage.Deleted(club, 3)), log.read(club, 3, 3).stream().map(Entry::seen).toList());

        PostgresLog later = new PostgresLog(dataSource(), () -> { }, Duration.ZERO,
                () -> Instant.ofEpochMilli(now).plus(MessageLog.KEYS_KEPT).plusSeconds(1));
        try {
            assertEquals(1, later.upkeep().forgetKeys(), "ten minutes on, a resend can no longer come");
        } finally {
            later.close();
        }
        assertEquals(List.of("|null|null|null"), rows(club, 6, 6));
    }

    /** sender|from_name|message|send_key of the club's rows from {@code from} to {@code to}, skipping the middle ones. */
    private static List<String> rows(String club, long from, long to) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection db = postgres.connect(); PreparedStatement query = db.prepareStatement("SELECT sender, from_name, message, send_key "
                + "FROM clubchat_message WHERE club_id = ? AND seq IN (?, ?) ORDER BY seq")) {
            query.setString(1, club);
            query.setLong(2, from);
            query.setLong(3, to);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    rows.add(row.getString(1) + "|" + row.getString(2) + "|" + row.getString(3) + "|" + row.getString(4));
                }
            }
        }
        return rows;
    }

    private static DataSource dataSource() {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setUrl(postgres.url());
        source.setUser(postgres.user());
        return source;
    }
}
