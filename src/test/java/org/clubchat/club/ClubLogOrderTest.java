package org.clubchat.club;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Delivery;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ProtocolCodec;
import org.junit.jupiter.api.Test;

/**
 * The seam's order contract: a club hands its messages to the log in seq order however many senders
 * chat at once, since the log refuses a club's message that does not follow its last one (and the club
 * then closes its members). The log here records what it is given; PostgreSQL's refusal is
 * {@code PostgresLogIT}'s.
 */
class ClubLogOrderTest {

    /** Records every append, in the order it was called, and commits it at once. */
    private static final class RecordingLog implements MessageLog {
        final List<Long> seqs = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Run open(String clubId, String epochCandidate, int newest, long keysSince) {
            return new Run(epochCandidate, 0, 1, List.of(), List.of());
        }

        @Override
        public Run claim(String clubId, String seenEpoch, long seenSeq) {
            throw new UnsupportedOperationException("Redis mode only");
        }

        @Override
        public List<Entry> read(String clubId, long from, long to) {
            return List.of();
        }

        @Override
        public CompletionStage<Void> append(Entry entry) {
            seqs.add(entry.seq());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Taken> take(Draft draft) {
            throw new UnsupportedOperationException("Redis mode only");
        }

        @Override
        public Deletion delete(String clubId, long seq, String sender) {
            throw new UnsupportedOperationException("not deleting here");
        }

        @Override
        public List<Erased> erase(Erasure who, Erased after, int batch) {
            throw new UnsupportedOperationException("not erasing here");
        }

        @Override
        public Optional<String> problem() {
            return Optional.empty();
        }

        @Override
        public void close() {
        }
    }

    private static final Delivery IGNORED = new Delivery() {
        @Override
        public boolean offer(Frame frame) {
            return true;
        }

        @Override
        public void close(Close reason) {
        }
    };

    @Test
    void sendersChattingAtOnceReachTheLogInSeqOrder() throws Exception {
        RecordingLog log = new RecordingLog();
        ClubRegistry clubs = new ClubRegistry(1000, 100, Duration.ofMinutes(5), new ProtocolCodec(65536), InstantSource.system(),
                new Metrics(new SimpleMeterRegistry()), log, 1000, PresenceLimit.NONE);
        int senders = 4;
        int each = 5000;
        List<Club> joined = new ArrayList<>();
        for (int i = 0; i < senders; i++) {
            joined.add(clubs.join("busy", new Member("c" + i, "sender" + i, IGNORED), OptionalLong.empty(), null, null));
        }
        ExecutorService threads = Executors.newFixedThreadPool(senders);
        try {
            List<Future<?>> sending = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                Club club = joined.get(i);
                String connection = "c" + i;
                sending.add(threads.submit(() -> {
                    for (int n = 0; n < each; n++) {
                        club.chat(connection, "m" + n, null, null, System.nanoTime());
                    }
                }));
            }
            for (Future<?> sent : sending) {
                sent.get();
            }
        } finally {
            threads.shutdown();
        }
        assertEquals(senders * each, log.seqs.size());
        for (int i = 0; i < log.seqs.size(); i++) {
            long expected = i + 1;
            assertEquals(expected, log.seqs.get(i), () -> "every seq once, in order: append " + expected + " was "
                    + log.seqs.subList((int) expected - 1, Math.min(log.seqs.size(), (int) expected + 3)));
        }
    }
}
