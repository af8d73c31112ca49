package org.clubchat.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clubchat.support.Browser;
import org.clubchat.support.Http;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.clubchat.support.ServerProcess;

/**
 * The protocol checks every container must pass with the deployed WAR. Each subclass starts its container
 * once for all checks, configured with {@link #HISTORY_SIZE}, {@link #MAX_MESSAGE_LENGTH},
 * {@link #ALLOWED_ORIGIN} and {@link #API_KEY} through one of the ways settings reach a WAR, so the checks
 * also prove that way works.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
abstract class ContainerConformance {
    /** Where the containers serve the WAR: its file name, club-chat.war. */
    static final String CONTEXT_PATH = "/club-chat";
    static final int HISTORY_SIZE = 5;
    /** Long enough for a 60 KiB chat message, which must pass the 64 KiB frame limit on every container. */
    static final int MAX_MESSAGE_LENGTH = 64_000;
    /** The publish API's key. */
    static final String API_KEY = "container-api-key";
    /** An origin a browser may connect from, besides the page's own. */
    static final String ALLOWED_ORIGIN = "https://chat.example.com";
    private static final AtomicInteger CLUBS = new AtomicInteger();

    private ServerProcess server;

    /** Starts the container on the port with the WAR deployed and the settings above. */
    abstract ServerProcess deploy(int port) throws Exception;

    /** The allow-list: a foreign origin, and the page's own one so the browser check can connect. */
    static String allowedOrigins(int port) {
        return ALLOWED_ORIGIN + ",http://127.0.0.1:" + port;
    }

    @BeforeAll
    void start() throws Exception {
        server = deploy(ServerProcess.freePort());
    }

    /** Stops the container, which undeploys the WAR; Tomcat reports any thread the WAR left running. */
    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
            String log = server.log();
            assertFalse(log.contains("appears to have started a thread"), () -> "the WAR left a thread behind:\n" + log);
        }
    }

    private static String freshClub() {
        return "c" + CLUBS.incrementAndGet();
    }

    @Test
    void pageIsServedAtTheContextRoot() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(server.http("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), page.headers()::toString);
        assertTrue(page.body().contains("<title>club-chat</title>"), page::body);
        // Browsers run module scripts only when served with a JavaScript type.
        HttpResponse<String> script = Http.get(server.http("/js/app.js"));
        assertEquals(200, script.statusCode());
        assertTrue(script.headers().firstValue("Content-Type").orElse("").contains("javascript"), script.headers()::toString);
    }

    @Test
    void healthAndMetricsAnswer() {
        HttpResponse<String> health = Http.get(server.http("/health"));
        assertEquals(200, health.statusCode());
        assertEquals("up", Http.json(health).getString("status"));
        HttpResponse<String> metrics = Http.get(server.http("/metrics"));
        assertEquals(200, metrics.statusCode());
        assertTrue(Http.samples(metrics.body()).containsKey("clubchat_connections_opened_total"), metrics::body);
    }

    @Test
    void publishedMessageReachesTheMembers() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice")) {
            alice.join(club);
            HttpResponse<String> created = Http.post(server.http("/api/clubs/" + club + "/messages"),
                    "{\"message\":\"from the backend\",\"from\":\"ops\"}", "Authorization", "Bearer " + API_KEY);
            assertEquals(201, created.statusCode(), created::body);
            JsonObject chat = alice.expect("chat");
            assertEquals("from the backend", chat.getString("message"));
            assertEquals(1, chat.getJsonNumber("seq").longValue());
            assertEquals(401, Http.post(server.http("/api/clubs/" + club + "/messages"), "{\"message\":\"x\"}").statusCode());
        }
    }

    /** The page finds the endpoint under the context path by itself. */
    @Test
    void thePageChatsFromABrowser() {
        String club = freshClub();
        try (Browser page = new Browser(server.http("/")); TestClient peer = server.connect("peer")) {
            page.connectAs("browser");
            page.join(club);
            peer.join(club);
            page.say("hello from the page");
            JsonObject chat = peer.expect("chat");
            assertEquals("hello from the page", chat.getString("message"));
            assertEquals("browser", chat.getString("from"));
        }
    }

    @Test
    void welcomeNamesTheConnection() {
        try (TestClient alice = TestClient.connect(server.chatAs("alice"))) {
            JsonObject welcome = alice.expect("welcome");
            assertEquals("alice", welcome.getString("name"));
            assertEquals(1, welcome.getInt("protocol"));
        }
    }

    @Test
    void invalidNameIsRefusedWith400() {
        var attempt = TestClient.attempt(URI.create(server.chat() + "?name=a%0Ab"));
        ExecutionException failure = assertThrows(ExecutionException.class, () -> attempt.get(10, TimeUnit.SECONDS));
        WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
        assertEquals(400, refused.getResponse().statusCode());
    }

    @Test
    void handshakeFromAnotherOriginIsRefusedWith403() throws Exception {
        var refused = HttpClient.newHttpClient().newWebSocketBuilder().header("Origin", "https://evil.example.com")
                .buildAsync(server.chatAs("mallory"), new WebSocket.Listener() { });
        ExecutionException failure = assertThrows(ExecutionException.class, () -> refused.get(10, TimeUnit.SECONDS));
        assertEquals(403, assertInstanceOf(WebSocketHandshakeException.class, failure.getCause()).getResponse().statusCode());
        HttpClient.newHttpClient().newWebSocketBuilder().header("Origin", ALLOWED_ORIGIN)
                .buildAsync(server.chatAs("alice"), new WebSocket.Listener() { })
                .get(10, TimeUnit.SECONDS).abort();
    }

    @Test
    void membersSeeEachOtherJoinAndChatIsDeliveredAndAckedWithSeq() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            assertEquals(List.of("alice"), TestClient.members(alice.join(club)));
            assertEquals(List.of("alice", "bob"), TestClient.members(bob.join(club)));
            JsonObject presence = alice.expect("presence");
            assertEquals("join", presence.getString("event"));
            assertEquals("bob", presence.getString("name"));

            assertEquals(1, bob.chat(club, "hello"));
            JsonObject chat = alice.expect("chat");
            assertEquals("hello", chat.getString("message"));
            assertEquals("bob", chat.getString("from"));
            assertEquals(1, chat.getJsonNumber("seq").longValue());
            assertEquals(2, alice.chat(club, "hi bob"));
            assertEquals(2, bob.expect("chat").getJsonNumber("seq").longValue());
        }
    }

    @Test
    void badInputGetsAnErrorAndTheConnectionStaysUsable() {
        try (TestClient alice = server.connect("alice")) {
            alice.send("{not json");
            alice.expectError("bad_json");
            alice.send(Json.createObjectBuilder().add("type", "join").add("clubId", "no spaces"));
            alice.expectError("invalid_club");
            alice.send("{\"type\":\"ping\",\"id\":\"p\"}");
            assertEquals("p", alice.expect("pong").getString("id"));
        }
    }

    @Test
    void sinceReplaysFromTheConfiguredHistory() {
        String club = freshClub();
        String epoch;
        try (TestClient alice = server.connect("alice")) {
            epoch = alice.join(club).getString("epoch");
            for (int i = 1; i <= HISTORY_SIZE + 2; i++) {
                alice.chat(club, "m" + i);
            }
        }
        try (TestClient bob = server.connect("bob")) {
            bob.send(Json.createObjectBuilder().add("type", "join").add("clubId", club).add("since", 0).add("epoch", epoch));
            JsonObject joined = bob.expect("joined");
            assertFalse(joined.getBoolean("recovered"), "only the last " + HISTORY_SIZE + " messages are held");
            for (int seq = 3; seq <= HISTORY_SIZE + 2; seq++) {
                JsonObject replayed = bob.expect("chat");
                assertEquals(seq, replayed.getJsonNumber("seq").longValue());
                assertEquals("m" + seq, replayed.getString("message"));
            }
        }
        try (TestClient carol = server.connect("carol")) {
            carol.send(Json.createObjectBuilder().add("type", "join").add("clubId", club).add("since", 5).add("epoch", epoch));
            assertTrue(carol.expect("joined").getBoolean("recovered"));
            assertEquals(6, carol.expect("chat").getJsonNumber("seq").longValue());
            assertEquals(7, carol.expect("chat").getJsonNumber("seq").longValue());
        }
    }

    @Test
    void sixtyKibChatMessageIsDeliveredWhole() {
        String club = freshClub();
        String message = "x".repeat(60 * 1024);
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            assertEquals(1, alice.chat(club, message));
            assertEquals(message, bob.expect("chat").getString("message"));
        }
    }

    @Test
    void messageOverSixtyFourKibClosesWith1009AndSparesOthers() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            String tooBig = "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(64 * 1024) + "\"}";
            bob.sendExpectingClose(tooBig);
            assertEquals(1009, bob.awaitClose().code());
            assertEquals("leave", alice.expect("presence").getString("event"));
            alice.send("{\"type\":\"ping\"}");
            alice.expect("pong");
        }
    }

    @Test
    void binaryFrameClosesWith1003() {
        try (TestClient alice = server.connect("alice")) {
            alice.sendBinary(new byte[] {1, 2, 3});
            assertEquals(1003, alice.awaitClose().code());
        }
    }
}
