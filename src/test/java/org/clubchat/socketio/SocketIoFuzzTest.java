package org.clubchat.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.clubchat.security.OriginPolicy;
import org.junit.jupiter.api.AfterEach;

/**
 * socket.io's decoders as a hostile client meets them, fuzzed as the native codec is: any text is a
 * packet or an invalid one, never an exception, and a valid one encodes back to what decodes the same;
 * any long-polling body a client posts is answered (200, 400 or 413), never with an exception, and so is
 * the next one. Regression inputs: {@code SocketIoFuzzTestInputs/}
 * in the test resources; fuzz for longer with the README's command.
 */
class SocketIoFuzzTest {
    private static final int MAX_PAYLOAD = 4096;
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @FuzzTest(maxDuration = "20s")
    void everyPacketGetsADecision(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        SocketPacket.Decoded decoded = SocketPacket.decode(text);
        assertNotNull(decoded);
        if (decoded instanceof SocketPacket.Valid valid) {
            assertEquals(decoded, SocketPacket.decode(valid.packet().encode()), "a valid packet reads back as itself");
        } else if (decoded instanceof SocketPacket.Binary binary) {
            assertTrue(binary.attachments() >= 0 && binary.attachments() <= 999_999);
        }
        assertNotNull(EnginePacket.decode(text));
        Map<String, Offsets.Position> positions = Offsets.decode(text);
        if (positions != null) {
            assertEquals(positions, Offsets.decode(Offsets.encode(positions)), "an offset reads back as itself");
        }
    }

    @FuzzTest(maxDuration = "20s")
    void everyPostIsAnswered(byte[] input) {
        EngineServer server = new EngineServer(new EngineOptions(Duration.ofSeconds(25), Duration.ofSeconds(20), MAX_PAYLOAD,
                Duration.ofSeconds(10), 10), new SocketIoServer(Map.of("/", ECHO), Duration.ofSeconds(45)),
                new OriginPolicy(List.of()), timer, Runnable::run);
        String sid = PollingRequests.handshake(server);
        String body = input.length > MAX_PAYLOAD ? null : new String(input, StandardCharsets.UTF_8);
        PollingRequests.Request post = new PollingRequests.Request("POST", "EIO=4&transport=polling&sid=" + sid, Map.of(), body);
        server.handle(post);
        int status = post.await().status();
        assertTrue(Set.of(200, 400, 413).contains(status), "answered " + status);
        int next = PollingRequests.send(server, "POST", "EIO=4&transport=polling&sid=" + sid, "3").status();
        assertTrue(next == 200 || next == 400, "the next body is answered too: " + next);
    }

    /** A namespace that accepts everyone and takes two attachments per event, as a file-sharing one might. */
    private static final Namespace ECHO = new Namespace() {
        @Override
        public int maxAttachments() {
            return 2;
        }

        @Override
        public Client connect(NamespaceSocket socket, JsonObject auth) {
            socket.accept(JsonObject.EMPTY_JSON_OBJECT);
            return new Client() {
                @Override
                public void event(JsonArray data, Long ackId, List<byte[]> attachments) {
                    socket.emit(data);
                }

                @Override
                public void disconnected(boolean byClient) {
                }
            };
        }
    };
}
