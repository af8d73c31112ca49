package org.clubchat.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.clubchat.delivery.Close;
import java.io.StringReader;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Consumer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.clubchat.metrics.Metrics;
import org.clubchat.Settings;
import org.clubchat.club.ClubRegistry;
import org.clubchat.delivery.Outbox;
import org.clubchat.delivery.Transport;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.security.Identity;

/**
 * Message handling under any sequence of frames from three connections, mixing well-formed messages
 * over a few clubs with arbitrary text and reconnects: nothing throws, every frame sent is a JSON object
 * with a type, and every member sees each club's seqs strictly increasing.
 */
class ChatServiceFuzzTest {
    private static final String[] CLUBS = {"a", "b", "c"};
    private static final String[] TYPES = {"join", "leave", "chat", "ping"};

    /** Checks each frame as it is sent to one connection. */
    private static final class CheckingTransport implements Transport {
        private final Map<String, Long> lastSeq = new HashMap<>();

        @Override
        public int batchBytes() {
            return 0;
        }

        @Override
        public void send(List<Frame> frames, Consumer<Throwable> done) {
            JsonObject json = Json.createReader(new StringReader(frames.get(0).text())).readObject();
            String type = json.getString("type");
            if (type.equals("chat")) {
                long seq = json.getJsonNumber("seq").longValue();
                long previous = lastSeq.getOrDefault(json.getString("clubId"), 0L);
                assertTrue(seq > previous, () -> "seq " + seq + " after " + previous + " in " + json);
                lastSeq.put(json.getString("clubId"), seq);
            } else if (type.equals("joined")) {
                lastSeq.put(json.getString("clubId"), 0L);
            }
            done.accept(null);
        }

        @Override
        public void ping() {
        }

        @Override
        public void close(Close reason) {
        }
    }

    @FuzzTest(maxDuration = "20s")
    void anySequenceOfFramesKeepsEveryReplyValid(FuzzedDataProvider data) {
        ProtocolCodec codec = new ProtocolCodec(4096);
        Settings settings = Settings.load(Map.of("CLUBCHAT_CLUBS_MAX", "2", "CLUBCHAT_MESSAGE_MAX_LENGTH", "20",
                "CLUBCHAT_RATE_BURST", "50"), new Properties());
        Metrics metrics = new Metrics(new SimpleMeterRegistry());
        Connections registry = new Connections(settings.limits(), new ScheduledThreadPoolExecutor(0), System::nanoTime,
                InstantSource.system(), metrics);
        ChatService service = new ChatService(new ClubRegistry(3, Duration.ofMinutes(1), codec, InstantSource.system(), metrics),
                codec, settings.limits(), System::nanoTime, metrics, registry, null, null);
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            connections.add(open(registry, "m" + i));
        }
        while (data.remainingBytes() > 0) {
            int who = data.consumeInt(0, connections.size() - 1);
            int action = data.consumeInt(0, 9);
            if (action == 0) {
                registry.close(connections.get(who));
                connections.set(who, open(registry, "m" + who));
            } else if (action == 1) {
                service.handle(connections.get(who), codec.decode(data.consumeString(200)));
            } else {
                service.handle(connections.get(who), codec.decode(wellFormed(data)));
            }
        }
        connections.forEach(registry::close);
        assertEquals(0, registry.size());
    }

    private static Connection open(Connections registry, String name) {
        return registry.open(Identity.named(name), new Outbox(new CheckingTransport(), 1 << 20, Runnable::run, Runnable::run)).orElseThrow();
    }

    private static String wellFormed(FuzzedDataProvider data) {
        var frame = Json.createObjectBuilder().add("type", data.pickValue(TYPES)).add("clubId", data.pickValue(CLUBS));
        if (data.consumeBoolean()) {
            frame.add("message", data.consumeString(30));
        }
        if (data.consumeBoolean()) {
            frame.add("since", data.consumeLong(-1, 10));
        }
        if (data.consumeBoolean()) {
            frame.add("id", data.consumeString(3));
        }
        return frame.build().toString();
    }
}
