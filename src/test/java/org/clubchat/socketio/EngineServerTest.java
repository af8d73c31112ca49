package org.clubchat.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.clubchat.security.OriginPolicy;
import org.clubchat.support.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Engine.IO server without a container: long-polling requests as plain values, and what a handler
 * above it sees. The WebSocket side and the upgrade run against real clients in SocketIoIT and in the
 * official suites (docs/socketio.md, "Conformance").
 */
class EngineServerTest {
    private static PollingRequests.Answer send(EngineServer server, String method, String query, String body) {
        return PollingRequests.send(server, method, query, body);
    }

    private static String handshake(EngineServer server) {
        return PollingRequests.handshake(server);
    }

    private static final String PAGE = "https://chat.example.com";
    private static final int MAX_SESSIONS = 3;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<String> closes = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** An echo server, as the Engine.IO suite's, that also records what it saw, and fails on "boom". */
    private EngineServer server(Duration pingInterval, Duration pingTimeout) {
        return server(pingInterval, pingTimeout, new OriginPolicy(List.of(PAGE)));
    }

    private EngineServer server(Duration pingInterval, Duration pingTimeout, OriginPolicy origins) {
        return new EngineServer(new EngineOptions(pingInterval, pingTimeout, 100, Duration.ofSeconds(10), MAX_SESSIONS), session -> new EngineHandler() {
            @Override
            public void text(String data) {
                if (data.equals("boom")) {
                    throw new IllegalStateException("a bug above the engine");
                }
                received.add(data);
                session.send(List.of(data), failure -> {
                }, false);
            }

            @Override
            public void binary(byte[] data) {
                received.add("binary " + data.length);
            }

            @Override
            public void closed(String reason) {
                closes.add(reason);
            }
        }, origins, timer, Runnable::run);
    }

    private EngineServer server() {
        return server(Duration.ofSeconds(25), Duration.ofSeconds(20));
    }

    @Test
    void theHandshakeAnnouncesTheSessionAndItsTimers() {
        PollingRequests.Answer open = send(server(), "GET", "EIO=4&transport=polling", "");
        JsonObject packet = Json.createReader(new StringReader(open.body().substring(1))).readObject();
        assertEquals(Map.of("upgrades", Json.createArrayBuilder().add("websocket").build(),
                "pingInterval", Json.createValue(25_000), "pingTimeout", Json.createValue(20_000),
                "maxPayload", Json.createValue(100)), Map.copyOf(Json.createObjectBuilder(packet).remove("sid").build()));
        assertEquals("text/plain; charset=UTF-8", open.contentType());
    }

    @Test
    void badRequestsGetTheSpecificationsErrors() {
        EngineServer server = server();
        assertEquals(Json.createObjectBuilder().add("code", 5).add("message", "Unsupported protocol version").build(),
                send(server, "GET", "EIO=3&transport=polling", "").json());
        assertEquals(0, send(server, "GET", "EIO=4&transport=carrier-pigeon", "").json().getInt("code"));
        assertEquals(2, send(server, "POST", "EIO=4&transport=polling", "4hi").json().getInt("code"));
        PollingRequests.Answer unknown = send(server, "GET", "EIO=4&transport=polling&sid=nope", "");
        assertEquals(400, unknown.status());
        assertEquals(1, unknown.json().getInt("code"));
    }

    @Test
    void postedPacketsReachTheHandlerInOrderAndAnswersComeBackOnTheNextPoll() {
        EngineServer server = server();
        String sid = handshake(server);
        PollingRequests.Answer posted = send(server, "POST", "EIO=4&transport=polling&sid=" + sid, "4안녕\u001e4café 👋");
        assertEquals(200, posted.status());
        assertEquals("ok", posted.body());
        assertEquals(List.of("안녕", "café 👋"), received);
        assertEquals("4안녕\u001e4café 👋", send(server, "GET", "EIO=4&transport=polling&sid=" + sid, "").body());
    }

    @Test
    void aPollWaitsForAPacket() {
        EngineServer server = server();
        String sid = handshake(server);
        PollingRequests.Request poll = new PollingRequests.Request("GET", "EIO=4&transport=polling&sid=" + sid, Map.of(), "");
        server.handle(poll);
        assertFalse(poll.answer().isDone(), "nothing to send yet");
        send(server, "POST", "EIO=4&transport=polling&sid=" + sid, "4late");
        assertEquals("4late", poll.await().body());
    }

    @Test
    void anInvalidPacketOrABodyOverMaxPayloadEndsTheSession() {
        EngineServer server = server();
        String sid = handshake(server);
        assertEquals(400, send(server, "POST", "EIO=4&transport=polling&sid=" + sid, "hello").status());
        assertEquals(400, send(server, "GET", "EIO=4&transport=polling&sid=" + sid, "").status());
        String other = handshake(server);
        assertEquals(413, send(server, "POST", "EIO=4&transport=polling&sid=" + other, null).status());
        assertEquals(0, server.size());
        assertEquals(2, closes.size());
    }

    @Test
    void corsFollowsTheAllowList() {
        EngineServer server = server();
        PollingRequests.Request allowed = new PollingRequests.Request("GET", "EIO=4&transport=polling", Map.of("Origin", PAGE), "");
        server.handle(allowed);
        assertEquals(PAGE, allowed.await().headers().get("Access-Control-Allow-Origin"));
        assertEquals("true", allowed.await().headers().get("Access-Control-Allow-Credentials"));
        PollingRequests.Request preflight = new PollingRequests.Request("OPTIONS", "EIO=4&transport=polling", Map.of("Origin", PAGE), "");
        server.handle(preflight);
        assertEquals(204, preflight.await().status());
        assertEquals("GET, POST", preflight.await().headers().get("Access-Control-Allow-Methods"));
        PollingRequests.Request refused = new PollingRequests.Request("GET", "EIO=4&transport=polling", Map.of("Origin", "https://evil.example.org"), "");
        server.handle(refused);
        assertEquals(403, refused.await().status());
        assertEquals(4, refused.await().json().getInt("code"));
        PollingRequests.Request noOrigin = new PollingRequests.Request("GET", "EIO=4&transport=polling", Map.of(), "");
        server.handle(noOrigin);
        assertNull(noOrigin.await().headers().get("Access-Control-Allow-Origin"));
    }

    @Test
    void aClientThatDoesNotAnswerThePingIsClosed() {
        EngineServer server = server(Duration.ofMillis(50), Duration.ofMillis(50));
        String sid = handshake(server);
        assertEquals("2", send(server, "GET", "EIO=4&transport=polling&sid=" + sid, "").body());
        PollingRequests.Request after = new PollingRequests.Request("GET", "EIO=4&transport=polling&sid=" + sid, Map.of(), "");
        server.handle(after);
        assertEquals("1", after.await().body(), "the waiting poll learns of the close");
        Await.until(Duration.ofSeconds(5), () -> !closes.isEmpty(), () -> "the handler told of the close");
        assertEquals(List.of("ping timeout"), closes);
        assertEquals(400, send(server, "GET", "EIO=4&transport=polling&sid=" + sid, "").status());
    }

    @Test
    void aClientThatAnswersStaysAndItsGoodbyeEndsTheSession() {
        EngineServer server = server(Duration.ofMillis(50), Duration.ofMillis(200));
        String sid = handshake(server);
        for (int i = 0; i < 3; i++) {
            assertEquals("2", send(server, "GET", "EIO=4&transport=polling&sid=" + sid, "").body());
            assertEquals(200, send(server, "POST", "EIO=4&transport=polling&sid=" + sid, "3").status());
        }
        assertTrue(closes.isEmpty());
        send(server, "POST", "EIO=4&transport=polling&sid=" + sid, "1");
        assertEquals("6", send(server, "GET", "EIO=4&transport=polling&sid=" + sid, "").body());
        assertEquals(400, send(server, "GET", "EIO=4&transport=polling&sid=" + sid, "").status());
        assertEquals(List.of("forced close"), closes);
    }

    /** Sessions not yet connected to a namespace count too: handshakes alone cannot fill the server's memory. */
    @Test
    void handshakesPastTheSessionLimitAreRefusedWith503UntilOneEnds() {
        EngineServer server = server();
        String first = handshake(server);
        handshake(server);
        handshake(server);
        PollingRequests.Answer full = send(server, "GET", "EIO=4&transport=polling", "");
        assertEquals(503, full.status());
        assertEquals("Server full", full.json().getString("message"));
        assertNull(server.open("EIO=4&transport=websocket", null), "a WebSocket-only session is refused as well");
        send(server, "POST", "EIO=4&transport=polling&sid=" + first, "1");
        send(server, "GET", "EIO=4&transport=polling&sid=" + first, "");
        handshake(server);
        assertEquals(MAX_SESSIONS, server.size());
    }

    @Test
    void withoutAnAllowListAnyOriginMayReadTheAnswersButNoCredentialsAreAllowed() {
        EngineServer server = server(Duration.ofSeconds(25), Duration.ofSeconds(20), new OriginPolicy(List.of()));
        PollingRequests.Request request = new PollingRequests.Request("GET", "EIO=4&transport=polling", Map.of("Origin", "https://anywhere.example.net"), "");
        server.handle(request);
        assertEquals(200, request.await().status());
        assertEquals("*", request.await().headers().get("Access-Control-Allow-Origin"));
        assertNull(request.await().headers().get("Access-Control-Allow-Credentials"),
                "no site may make a browser send its cookies here and read the answer");
    }

    @Test
    void aPacketTheLayersAboveFailOnEndsItsSessionWithA400AndTheNextSessionWorks() {
        EngineServer server = server();
        String sid = handshake(server);
        assertEquals(400, send(server, "POST", "EIO=4&transport=polling&sid=" + sid, "4boom").status());
        assertEquals(0, server.size(), "the session ended, as for an invalid packet");
        String next = handshake(server);
        assertEquals(200, send(server, "POST", "EIO=4&transport=polling&sid=" + next, "4fine").status());
        assertEquals(200, send(server, "POST", "EIO=4&transport=polling&sid=" + next, "4still").status(), "posting is not stuck");
    }
}
