package org.clubchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.clubchat.delivery.Close;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
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
import org.junit.jupiter.api.Test;

class ChatServiceTest {
    private final ProtocolCodec codec = new ProtocolCodec(65536);
    private final Metrics metrics = new Metrics(new SimpleMeterRegistry());
    private final Limits limits = Settings.defaults().limits();
    private final Connections connections = new Connections(limits, new ScheduledThreadPoolExecutor(0), System::nanoTime,
            InstantSource.system(), metrics);
    private final ChatService service = new ChatService(new ClubRegistry(10, Duration.ofMinutes(5), codec, InstantSource.system(),
            metrics), codec, limits, System::nanoTime, metrics, connections, null, null);

    private static final class Sent implements Transport {
        final List<String> types = new ArrayList<>();

        @Override
        public int batchBytes() {
            return 0;
        }

        @Override
        public void send(List<Frame> frames, Consumer<Throwable> done) {
            types.add(frames.get(0).message().getClass().getSimpleName());
            done.accept(null);
        }

        @Override
        public void ping() {
        }

        @Override
        public void close(Close reason) {
        }
    }

    /** Opens and greets a connection, as the gateway does. */
    private Connection open(String name, Transport transport) {
        Connection connection = connections.open(Identity.named(name), new Outbox(transport, 1 << 20, Runnable::run, Runnable::run)).orElseThrow();
        service.greet(connection);
        return connection;
    }

    /** Java 17 has no exhaustive switch over sealed types; this stands in for it. */
    @Test
    void everyClientMessageTypeIsDispatched() {
        List<ClientMessage> samples = List.of(new ClientMessage.Join("c", OptionalLong.empty(), null),
                new ClientMessage.Chat("c", "hi", null), new ClientMessage.History("c", OptionalLong.empty(), 50),
                new ClientMessage.Delete("c", 1), new ClientMessage.Members("c", null, 10), new ClientMessage.Leave("c"),
                ClientMessage.Ping.INSTANCE,
                new ClientMessage.Auth("t"));
        assertEquals(ClientMessage.class.getPermittedSubclasses().length, samples.size(), "a sample of every type");
        Sent sent = new Sent();
        Connection connection = open("alice", sent);
        for (ClientMessage sample : samples) {
            service.handle(connection, new DecodeResult.Decoded(new Inbound(null, sample)));
        }
        assertEquals(List.of("Welcome", "Joined", "Ack", "History", "Deleted", "Members", "Left", "Pong", "Error"), sent.types,
                "auth in open mode: unknown_type");
    }

    @Test
    void closeLeavesEveryClubOnceAndForgetsTheConnection() {
        Sent alice = new Sent();
        Sent bob = new Sent();
        Connection a = open("alice", alice);
        Connection b = open("bob", bob);
        service.handle(a, new DecodeResult.Decoded(new Inbound(null, new ClientMessage.Join("c", OptionalLong.empty(), null))));
        service.handle(b, new DecodeResult.Decoded(new Inbound(null, new ClientMessage.Join("c", OptionalLong.empty(), null))));
        assertEquals(2, connections.size());
        connections.close(b);
        connections.close(b);
        assertEquals(1, connections.size());
        assertEquals(List.of("Welcome", "Joined", "Presence", "Presence"), alice.types);
    }
}
