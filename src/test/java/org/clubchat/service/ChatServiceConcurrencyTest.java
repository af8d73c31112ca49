package org.clubchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.clubchat.delivery.Close;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.clubchat.metrics.Metrics;
import org.clubchat.Settings;
import org.clubchat.club.ClubRegistry;
import org.clubchat.security.Identity;
import org.clubchat.delivery.Outbox;
import org.clubchat.delivery.Transport;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.Inbound;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Joins, leaves, chats and disconnects racing on one club, with a sweeper that would drop the club the
 * moment it empties. An observer that stays in the club must see every message once in gapless seq
 * order, and presence that alternates join/leave for every name and ends with everyone gone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChatServiceConcurrencyTest {
    private static final int THREADS = 8;
    private static final int ROUNDS = 3_000;
    private static final String CLUB = "race";
    /** Nobody stays in this one, so the sweeper keeps retiring it under the churners' feet. */
    private static final String EMPTYING_CLUB = "ebb";

    private final ProtocolCodec codec = new ProtocolCodec(65536);
    private final ClubRegistry registry = new ClubRegistry(10, Duration.ZERO, codec, InstantSource.system(), new Metrics(new SimpleMeterRegistry()));
    private final Limits limits = Settings.defaults().limits();
    private final Connections connections = new Connections(limits, new ScheduledThreadPoolExecutor(0), System::nanoTime,
            InstantSource.system(), new Metrics(new SimpleMeterRegistry()));
    private final ChatService service = new ChatService(registry, codec, limits, System::nanoTime, new Metrics(new SimpleMeterRegistry()),
            connections, null, null);

    /** Records what one connection is sent; the outbox calls it one frame at a time. */
    private static final class Recorder implements Transport {
        final List<ServerMessage> received = new ArrayList<>();

        @Override
        public int batchBytes() {
            return 0;
        }

        @Override
        public synchronized void send(List<Frame> frames, Consumer<Throwable> done) {
            received.add(frames.get(0).message());
            done.accept(null);
        }

        @Override
        public void ping() {
        }

        @Override
        public void close(Close reason) {
        }

        synchronized List<ServerMessage> snapshot() {
            return List.copyOf(received);
        }
    }

    private void handle(Connection connection, ClientMessage message) {
        service.handle(connection, new DecodeResult.Decoded(new Inbound(null, message)));
    }

    @Test
    void nothingIsLostWhenEverythingRaces() throws Exception {
        Recorder observed = new Recorder();
        Connection observer = connections.open(Identity.named("observer"), new Outbox(observed, 1 << 20, Runnable::run, Runnable::run)).orElseThrow();
        handle(observer, new ClientMessage.Join(CLUB, OptionalLong.empty(), null));

        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> acked = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            String name = "n" + (t % 3);
            acked.add(pool.submit(() -> churn(name, start)));
        }
        Future<?> sweeper = pool.submit(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                registry.sweep();
            }
        });
        start.countDown();
        int total = 0;
        for (Future<Integer> count : acked) {
            total += count.get(50, TimeUnit.SECONDS);
        }
        sweeper.cancel(true);
        pool.shutdownNow();

        List<ServerMessage> frames = observed.snapshot();
        List<Long> seqs = frames.stream().filter(ServerMessage.Chat.class::isInstance)
                .map(f -> ((ServerMessage.Chat) f).seq()).toList();
        assertEquals(LongStream.rangeClosed(1, total).boxed().toList(), seqs, "every message once, in seq order");

        Map<String, ServerMessage.Presence.Event> last = new HashMap<>();
        for (ServerMessage frame : frames) {
            if (frame instanceof ServerMessage.Presence presence) {
                ServerMessage.Presence.Event before = last.put(presence.name(), presence.event());
                ServerMessage.Presence.Event expected = before == ServerMessage.Presence.Event.JOIN
                        ? ServerMessage.Presence.Event.LEAVE : ServerMessage.Presence.Event.JOIN;
                assertEquals(expected, presence.event(), () -> "presence of " + presence.name() + " out of turn");
            }
        }
        assertTrue(last.values().stream().allMatch(ServerMessage.Presence.Event.LEAVE::equals), last::toString);
        assertEquals(1, connections.size(), "only the observer is left");
    }

    /** One connection that joins, chats, leaves and reconnects at random; returns how many chats were acked. */
    private int churn(String name, CountDownLatch start) throws InterruptedException {
        assertTrue(start.await(10, TimeUnit.SECONDS));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Recorder sent = new Recorder();
        Connection connection = connections.open(Identity.named(name), new Outbox(sent, 1 << 20, Runnable::run, Runnable::run)).orElseThrow();
        List<Recorder> all = new ArrayList<>(List.of(sent));
        for (int i = 0; i < ROUNDS; i++) {
            String club = random.nextBoolean() ? CLUB : EMPTYING_CLUB;
            switch (random.nextInt(4)) {
                case 0 -> handle(connection, new ClientMessage.Join(club, OptionalLong.empty(), null));
                case 1 -> handle(connection, new ClientMessage.Chat(club, name + " " + i, null));
                case 2 -> handle(connection, new ClientMessage.Leave(club));
                default -> {
                    connections.close(connection);
                    sent = new Recorder();
                    all.add(sent);
                    connection = connections.open(Identity.named(name), new Outbox(sent, 1 << 20, Runnable::run, Runnable::run)).orElseThrow();
                }
            }
        }
        connections.close(connection);
        return (int) all.stream().flatMap(r -> r.snapshot().stream())
                .filter(f -> f instanceof ServerMessage.Ack ack && ack.clubId().equals(CLUB)).count();
    }
}
