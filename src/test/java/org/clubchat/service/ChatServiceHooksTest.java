package org.clubchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.clubchat.Settings;
import org.clubchat.club.ClubRegistry;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Closes;
import org.clubchat.delivery.Outbox;
import org.clubchat.delivery.Transport;
import org.clubchat.hooks.ClubChatHooks;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.Inbound;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.security.Identity;
import org.clubchat.support.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Hooks and hostile clients: a connection whose close is decided acts on nothing more, whatever it
 * pipelined, and what waits for a hook is bounded. The closer threads here never run, as when an
 * attacker keeps them busy, so nothing depends on winning a race against them.
 */
class ChatServiceHooksTest {
    private final ProtocolCodec codec = new ProtocolCodec(65536);
    private final Metrics metrics = new Metrics(new SimpleMeterRegistry());
    private final Limits limits = Settings.defaults().limits();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    /** One thread, so that a task submitted after a decision runs after what the decision set off. */
    private final ExecutorService hookThreads = Executors.newSingleThreadExecutor();
    private final Connections connections = new Connections(limits, timer, System::nanoTime, InstantSource.system(), metrics);
    private final ClubRegistry clubs = new ClubRegistry(10, Duration.ofMinutes(5), codec, InstantSource.system(), metrics);
    private final CountDownLatch decide = new CountDownLatch(1);
    /** Closes handed to the closer threads, which never run them. */
    private final List<Runnable> pendingCloses = new CopyOnWriteArrayList<>();

    /** Refuses "mallory" and lets "eve" in once the test lets them be decided; lets everyone else in at once. */
    private final ClubChatHooks banMallory = new ClubChatHooks() {
        @Override
        public Decision mayConnect(User user) {
            if (!user.name().equals("mallory") && !user.name().equals("eve")) {
                return ALLOW;
            }
            try {
                decide.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return user.name().equals("eve") ? ALLOW : ClubChatHooks.refuse("banned");
        }
    };
    private final ChatService service = new ChatService(clubs, codec, limits, System::nanoTime, metrics, connections, null,
            new HookRunner(List.of(banMallory), hookThreads, timer, Duration.ofSeconds(8), false, metrics));

    @AfterEach
    void stop() {
        decide.countDown();
        hookThreads.shutdownNow();
        timer.shutdownNow();
    }

    private static final class Recorded implements Transport {
        final List<Frame> frames = new CopyOnWriteArrayList<>();
        volatile Close closed;

        @Override
        public int batchBytes() {
            return 1 << 20;
        }

        @Override
        public void send(List<Frame> batch, Consumer<Throwable> done) {
            frames.addAll(batch);
            done.accept(null);
        }

        @Override
        public void ping() {
        }

        @Override
        public void close(Close reason) {
            closed = reason;
        }

        List<String> types() {
            List<String> types = new ArrayList<>();
            frames.forEach(frame -> types.add(frame.message().type()));
            return types;
        }
    }

    private Connection open(String name, Recorded transport) {
        Connection connection = connections.open(Identity.named(name),
                new Outbox(transport, limits.outboxMaxBytes(), Runnable::run, pendingCloses::add)).orElseThrow();
        service.greet(connection);
        return connection;
    }

    private static DecodeResult frame(ClientMessage message) {
        return new DecodeResult.Decoded(new Inbound(null, message));
    }

    /** Bob, let in at once, in club "c": what he sees. */
    private Recorded bobInClubC() {
        Recorded bobSees = new Recorded();
        Connection bob = open("bob", bobSees);
        service.handle(bob, frame(new ClientMessage.Join("c", OptionalLong.empty(), null)));
        Await.until(Duration.ofSeconds(10), () -> bobSees.types().contains("joined"), () -> "bob joined: " + bobSees.types());
        return bobSees;
    }

    @Test
    void aRefusedConnectionsPipelinedJoinAndChatAreNeverActedUpon() throws Exception {
        Recorded bobSees = bobInClubC();
        Recorded mallorySees = new Recorded();
        Connection mallory = open("mallory", mallorySees);
        service.handle(mallory, frame(new ClientMessage.Join("c", OptionalLong.empty(), null)));
        service.handle(mallory, frame(new ClientMessage.Chat("c", "spam", null)));
        decide.countDown();
        Await.until(Duration.ofSeconds(10), () -> mallory.isClosing(), () -> "mallory's refusal decided");
        Await.until(Duration.ofSeconds(10), () -> !pendingCloses.isEmpty(), () -> "the close handed to a closer");
        service.handle(mallory, frame(new ClientMessage.Chat("c", "more spam", null)));
        assertEquals(List.of("welcome", "joined"), bobSees.types(), "bob saw no presence and no chat of mallory's");
        assertEquals(0, clubs.view("c").orElseThrow().seq(), "nothing was stored");
        assertEquals(List.of(), mallorySees.types(), "no welcome, no joined, no ack");
    }

    /** An operator's disconnect, a flood or an expired token while the connect hook is out: the same. */
    @Test
    void aConnectionClosedWhileItsMessagesWaitedActsOnNoneOfThem() throws Exception {
        Recorded bobSees = bobInClubC();
        Recorded eveSees = new Recorded();
        Connection eve = open("eve", eveSees);
        service.handle(eve, frame(new ClientMessage.Join("c", OptionalLong.empty(), null)));
        eve.outbox().close(Closes.DISCONNECTED);
        service.handle(eve, frame(new ClientMessage.Chat("c", "spam", null)));
        decide.countDown();
        hookThreads.submit(() -> { }).get(10, TimeUnit.SECONDS);
        assertEquals(List.of("welcome", "joined"), bobSees.types());
        assertEquals(0, clubs.view("c").orElseThrow().seq());
    }

    @Test
    void whatWaitsForAHookIsBoundedAndOverflowCloses1008() {
        Recorded mallorySees = new Recorded();
        Connection mallory = open("mallory", mallorySees);
        String big = "x".repeat(limits.maxMessageLength());
        for (int i = 0; i < 10_000 && !mallory.isClosing(); i++) {
            service.handle(mallory, frame(new ClientMessage.Chat("c", big, null)));
        }
        assertTrue(mallory.isClosing(), "closed before ten thousand messages waited");
        pendingCloses.forEach(Runnable::run);
        assertEquals(Closes.INBOUND_OVERFLOW, mallorySees.closed);
        assertEquals(1008, mallorySees.closed.code());
    }
}
