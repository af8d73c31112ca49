package org.clubchat.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.clubchat.club.ClubStore;
import org.clubchat.club.MessageLog;
import org.clubchat.club.MessageLog.Entry;
import org.clubchat.support.Await;
import org.clubchat.support.PostgresProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The history store against a real PostgreSQL: batched appends, gapless runs, reads, and a server that goes away. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresLogIT {
    private PostgresProcess postgres;
    private PostgresLog log;

    @BeforeAll
    void start() throws Exception {
        postgres = PostgresProcess.start();
        log = Databases.pooled(postgres.url(), postgres.user(), "", true, Duration.ZERO);
    }

    @AfterAll
    void stop() throws Exception {
        if (log != null) {
            log.close();
        }
        if (postgres != null) {
            postgres.close();
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
        ExecutionException twice = assertThrows(ExecutionException.class,
                () -> stored(log.append(entry("pg-gap", "e", 1)).toCompletableFuture()));
        assertInstanceOf(MessageLog.OutOfStep.class, twice.getCause());
        ExecutionException otherRun = assertThrows(ExecutionException.class,
                () -> stored(log.append(entry("pg-gap", "not e", 2)).toCompletableFuture()));
        assertInstanceOf(MessageLog.OutOfStep.class, otherRun.getCause());
        stored(log.append(entry("pg-gap", "e", 2)).toCompletableFuture());
        assertEquals(2, log.open("pg-gap", "x", 10, 0).lastSeq());
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
        assertEquals(24_990, log.purge(2_000_000L));
        MessageLog.Run run = log.open("pg-old", "x", 5, 0);
        assertEquals(25_000, run.lastSeq(), "the run goes on where it stood");
        assertEquals(24_991, run.firstSeq(), "the oldest held is after what was deleted");
        assertEquals(10, log.read("pg-old", 1, 25_000).size());
    }
}
