package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Browser;
import org.clubchat.support.Http;
import org.clubchat.support.JavaSocketIoClient;
import org.json.JSONException;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;

/**
 * The application decides through its backend (CLUBCHAT_HOOKS_URL): a connection is refused (native and
 * socket.io), a moderation hook rewrites a word,
 * a join is refused (and one over the club limit is refused without asking), a backend that does not answer in time gets the failure policy (refuse), and one
 * connection's messages keep their order while its hook is out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HooksIT {
    /** Holds the backend's answer to a "slow" chat until the test lets it go: longer than the hook timeout. */
    private static final CountDownLatch slowAnswer = new CountDownLatch(1);
    /** Holds the backend's answer to every "stuck" chat until the tests end: far longer than the hook timeout. */
    private static final CountDownLatch stuckAnswers = new CountDownLatch(1);
    /** Holds the backend's answer to heidi's connect until the test has sent a message ahead of it. */
    private static final CountDownLatch heidiLetIn = new CountDownLatch(1);
    private static final String BANNED = "banned: 스팸 🚫";
    /** The clubs the backend was asked about, in the order asked. */
    private static final Queue<String> joinsAsked = new ConcurrentLinkedQueue<>();
    private static final HttpServer backend = startBackend();
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_HOOKS_URL",
            "http://127.0.0.1:" + backend.getAddress().getPort() + "/hooks", "CLUBCHAT_HOOKS_TIMEOUT", "PT1S",
            "CLUBCHAT_CLUBS_MAX", "1"));

    private static HttpServer startBackend() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.setExecutor(Executors.newCachedThreadPool());
            http.createContext("/hooks", HooksIT::decide);
            http.start();
            return http;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The application's rules: a members-only club, one word not said, and a slow path. */
    private static void decide(HttpExchange exchange) throws IOException {
        JsonObject call = Json.createReader(new StringReader(new String(exchange.getRequestBody().readAllBytes(),
                StandardCharsets.UTF_8))).readObject();
        JsonObject answer = Json.createObjectBuilder().add("result", "allow").build();
        if (call.getString("hook").equals("join")) {
            joinsAsked.add(call.getString("clubId"));
        }
        if (call.getString("hook").equals("connect") && call.getJsonObject("user").getString("name").equals("heidi")) {
            await(heidiLetIn);
        }
        if (call.getString("hook").equals("connect") && call.getJsonObject("user").getString("name").equals("ivan")) {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
            return;
        }
        if (call.getString("hook").equals("connect") && call.getJsonObject("user").getString("name").startsWith("mallory")) {
            answer = Json.createObjectBuilder().add("result", "refuse").add("message", BANNED).build();
        } else if (call.getString("hook").equals("join") && call.getString("clubId").equals("hooks-members-only")) {
            answer = Json.createObjectBuilder().add("result", "refuse").add("message", "members only").build();
        } else if (call.getString("hook").equals("chat")) {
            String message = call.getString("message");
            if (message.equals("slow")) {
                await(slowAnswer);
            } else if (message.equals("stuck")) {
                await(stuckAnswers);
            } else if (message.contains("darn")) {
                answer = Json.createObjectBuilder().add("result", "replace").add("text", message.replace("darn", "****")).build();
            }
        }
        Http.answerJson(exchange, answer.toString());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterAll
    static void stopBackend() {
        slowAnswer.countDown();
        stuckAnswers.countDown();
        heidiLetIn.countDown();
        backend.stop(0);
    }

    @Test
    void connectionRefusedByTheBackendIsClosedWith1008AndItsMessageBeforeAnyWelcome() {
        try (TestClient mallory = TestClient.connect(server.chatAs("mallory"))) {
            assertNull(mallory.nextOrClosed(), "no welcome, no frame");
            TestClient.Closed closed = mallory.awaitClose();
            assertEquals(1008, closed.code());
            assertEquals(BANNED, closed.reason());
        }
    }

    @Test
    void connectionTheBackendFailsToDecideIsToldToTryAgainLater() {
        try (TestClient ivan = TestClient.connect(server.chatAs("ivan"))) {
            assertNull(ivan.nextOrClosed(), "no welcome, no frame");
            TestClient.Closed closed = ivan.awaitClose();
            assertEquals(1013, closed.code(), "the refuse policy, but not a refusal of ivan");
            assertEquals("the application could not be asked just now; try again", closed.reason());
        }
    }

    @Test
    void socketIoConnectionRefusedByTheBackendGetsConnectErrorWithItsMessage() throws JSONException {
        try (JavaSocketIoClient mallory = JavaSocketIoClient.named(server, "mallory-sio")) {
            assertEquals(BANNED, mallory.refused().getString("message"));
        }
        try (JavaSocketIoClient grace = JavaSocketIoClient.named(server, "grace-sio")) {
            grace.connected();
        }
    }

    @Test
    void pageSaysInTheApplicationsWordsWhyItWasRefused() {
        try (Browser page = new Browser(server.http("/"))) {
            page.find("#name").sendKeys("mallory-재민", Keys.ENTER);
            page.awaitState("reconnecting");
            assertTrue(page.find("#state").getText().startsWith("the server refused the connection: " + BANNED + "; retrying in"),
                    page.find("#state").getText());
            page.screenshot(Path.of("target", "screenshots", "refused-by-application.png"));
            page.awaitState("failed");
            assertEquals("The server refuses this connection: " + BANNED + ". Reload the page to try again.",
                    page.find("#state").getText());
            page.screenshot(Path.of("target", "screenshots", "refused-by-application-gave-up.png"));
        }
    }

    @Test
    void messagesSentBeforeTheConnectDecisionWaitForTheWelcome() {
        try (TestClient heidi = TestClient.connect(server.chatAs("heidi"))) {
            heidi.send(Json.createObjectBuilder().add("type", "join").add("clubId", "hooks-early").add("id", "early"));
            heidi.assertNoFrame(Duration.ofMillis(500));
            heidiLetIn.countDown();
            assertEquals("heidi", heidi.expect("welcome").getString("name"));
            assertEquals("early", heidi.expect("joined").getString("id"));
            String metrics = Http.get(server.http("/metrics")).body();
            assertTrue(metrics.contains("clubchat_hook_seconds_count{hook=\"connect\"}"), "the connect hook's latency is measured");
            assertEquals(0.0, Http.samples(metrics).get("clubchat_hooks_queued"), "no call waits for a thread");
        }
    }

    @Test
    void moderationHookRewritesTheWordForEveryone() {
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("Björn")) {
            alice.join("hooks-chat");
            bob.join("hooks-chat");
            alice.expect("presence");
            assertEquals(1, alice.chat("hooks-chat", "well darn it, 안녕"));
            assertEquals("well **** it, 안녕", bob.expect("chat").getString("message"));
            String metrics = Http.get(server.http("/metrics")).body();
            assertTrue(metrics.contains("clubchat_hook_seconds_count{hook=\"chat\"}"), "the hooks' latency is measured");
        }
    }

    @Test
    void joinRefusedByTheBackendIsForbiddenWithItsReason() {
        try (TestClient carol = server.connect("carol")) {
            carol.send(Json.createObjectBuilder().add("type", "join").add("clubId", "hooks-members-only").add("id", "j"));
            JsonObject refused = carol.expectError("forbidden");
            assertEquals("j", refused.getString("id"));
            assertEquals("members only", refused.getString("message"));
            carol.join("hooks-open");
        }
    }

    @Test
    void joinOverTheClubLimitIsRefusedWithoutAskingTheBackend() {
        try (TestClient frank = server.connect("frank")) {
            frank.join("hooks-first");
            frank.send(Json.createObjectBuilder().add("type", "join").add("clubId", "hooks-second").add("id", "j2"));
            assertEquals("j2", frank.expectError("too_many_clubs").getString("id"));
            assertTrue(joinsAsked.contains("hooks-first"), "the backend decides joins within the limit");
            assertFalse(joinsAsked.contains("hooks-second"), "a join the limit refuses costs no backend call");
            frank.join("hooks-first");
        }
    }

    @Test
    void backendTooSlowGetsTheFailurePolicyInTimeAndOrderHolds() {
        try (TestClient dave = server.connect("dave"); TestClient erin = server.connect("erin")) {
            dave.join("hooks-slow");
            erin.join("hooks-slow");
            dave.expect("presence");
            long sent = System.nanoTime();
            dave.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "hooks-slow").add("message", "slow").add("id", "s"));
            dave.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "hooks-slow").add("message", "after").add("id", "a"));
            JsonObject refused = dave.expectError("forbidden");
            Duration took = Duration.ofNanos(System.nanoTime() - sent);
            assertEquals("s", refused.getString("id"), "the slow chat answered first: order holds");
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "answered after the 1 s hook timeout, not the backend: " + took);
            JsonObject ack = dave.expect("ack");
            assertEquals("a", ack.getString("id"));
            assertEquals("after", erin.expect("chat").getString("message"), "only what was allowed reached the club");
        }
    }

    /**
     * Twelve chats pipelined behind each other, each one's hook timing out after 1 s: the protocol's 10 s
     * count from each chat's arrival, so the last is answered within them too, not after twelve timeouts.
     */
    @Test
    void messagesQueuedBehindSlowHooksAreStillAnsweredWithinTenSecondsOfArrival() {
        int chats = 12;
        try (TestClient oscar = server.connect("oscar")) {
            oscar.join("hooks-stuck");
            long sent = System.nanoTime();
            for (int i = 0; i < chats; i++) {
                oscar.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "hooks-stuck").add("message", "stuck")
                        .add("id", "stuck-" + i));
            }
            for (int i = 0; i < chats; i++) {
                JsonObject refused = oscar.expectError("forbidden");
                assertEquals("stuck-" + i, refused.getString("id"), "in order");
            }
            Duration took = Duration.ofNanos(System.nanoTime() - sent);
            assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "the last answered " + took + " after it was sent");
        }
    }
}
