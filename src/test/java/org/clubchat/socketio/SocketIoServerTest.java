package org.clubchat.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.clubchat.security.OriginPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Socket.IO over long-polling requests as plain values: what a hostile client may send before and after
 * CONNECT. An invalid packet ends its session, as the specification says; binary attachments
 * are kept only for a namespace that takes them, within its count and the engine's maxPayload.
 */
class SocketIoServerTest {
    private static final int MAX_PAYLOAD = 1000;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** A namespace that records its events, taking up to {@code attachments} attachments per event. */
    private Namespace recording(int attachments) {
        return new Namespace() {
            @Override
            public int maxAttachments() {
                return attachments;
            }

            @Override
            public Client connect(NamespaceSocket socket, JsonObject auth) {
                socket.accept(JsonObject.EMPTY_JSON_OBJECT);
                return new Client() {
                    @Override
                    public void event(JsonArray data, Long ackId, List<byte[]> binaries) {
                        events.add(data.getString(0) + " with " + binaries.size());
                    }

                    @Override
                    public void disconnected(boolean byClient) {
                    }
                };
            }
        };
    }

    private EngineServer server() {
        return new EngineServer(new EngineOptions(Duration.ofSeconds(25), Duration.ofSeconds(20), MAX_PAYLOAD,
                Duration.ofSeconds(10), 10), new SocketIoServer(Map.of("/", recording(0), "/files", recording(2)),
                Duration.ofSeconds(45)), new OriginPolicy(List.of()), timer, Runnable::run);
    }

    private static int post(EngineServer server, String sid, String body) {
        return PollingRequests.send(server, "POST", "EIO=4&transport=polling&sid=" + sid, body).status();
    }

    /** Parsson throws NumberFormatException for such a number, not JsonException: it is an invalid packet all the same. */
    @Test
    void aNumberParssonCannotReadIsAnInvalidPacketThatEndsTheSession() {
        EngineServer server = server();
        String sid = PollingRequests.handshake(server);
        assertEquals(200, post(server, sid, "40"));
        assertEquals(200, post(server, sid, "42[\"chat\",{\"clubId\":\"a\",\"message\":\"x\",\"n\":1e10000000000}]"),
                "a valid Engine.IO packet; the Socket.IO layer ends the session, as for any invalid packet");
        assertEquals(0, server.size(), "the session ended");
        assertEquals(400, post(server, sid, "42[\"chat\",{\"n\":1}]"));
        String next = PollingRequests.handshake(server);
        assertEquals(200, post(server, next, "40"));
        assertEquals(200, post(server, next, "42[\"chat\",{\"n\":1}]"));
        assertEquals(List.of("chat with 0"), events);
    }

    @Test
    void aBinaryPacketBeforeConnectEndsTheSessionKeepingNothing() {
        EngineServer server = server();
        String sid = PollingRequests.handshake(server);
        post(server, sid, "45999999-[\"upload\",{\"_placeholder\":true,\"num\":0}]");
        assertEquals(0, server.size(), "the session ended");
    }

    @Test
    void attachmentsAreRefusedWhereTheNamespaceTakesNoneOrFewer() {
        EngineServer server = server();
        String sid = PollingRequests.handshake(server);
        assertEquals(200, post(server, sid, "40"));
        post(server, sid, "451-[\"upload\",{\"_placeholder\":true,\"num\":0}]");
        assertEquals(0, server.size(), "the main namespace takes none: the session ended");
        String other = PollingRequests.handshake(server);
        assertEquals(200, post(server, other, "40/files,"));
        post(server, other, "453-/files,[\"upload\",{\"_placeholder\":true,\"num\":0}]");
        assertEquals(0, server.size(), "three for two: the session ended");
        assertTrue(events.isEmpty());
    }

    @Test
    void attachmentsTogetherAreHeldToMaxPayload() {
        EngineServer server = server();
        String within = PollingRequests.handshake(server);
        assertEquals(200, post(server, within, "40/files,"));
        String half = "b" + Base64.getEncoder().encodeToString(new byte[MAX_PAYLOAD / 2 - 100]);
        assertEquals(200, post(server, within, "452-/files,[\"upload\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]"
                + EnginePacket.SEPARATOR + half + EnginePacket.SEPARATOR + half));
        assertEquals(List.of("upload with 2"), events);
        String over = PollingRequests.handshake(server);
        assertEquals(200, post(server, over, "40/files,"));
        String most = "b" + Base64.getEncoder().encodeToString(new byte[MAX_PAYLOAD / 2 + 100]);
        assertEquals(200, post(server, over, "452-/files,[\"upload\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]"));
        assertEquals(200, post(server, over, most));
        post(server, over, most);
        assertEquals(1, server.size(), "the second would pass maxPayload together: its session ended");
        assertEquals(List.of("upload with 2"), events);
    }
}
