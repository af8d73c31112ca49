package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.clubchat.support.Browser;
import org.clubchat.support.Http;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.clubchat.support.Tokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The page in token mode, as a host application runs it: the server's CLUBCHAT_PAGE_TOKEN_URL names
 * the application's token endpoint (here a tiny one on another port, with CORS), the page fetches its
 * token there and never asks for a name. History of 5, so that a reconnect can lose messages.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BrowserTokenIT {
    private static final AtomicBoolean signedIn = new AtomicBoolean(true);
    private static final AtomicInteger tokensIssued = new AtomicInteger();
    private static final HttpServer tokenEndpoint = startTokenEndpoint();
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_TOKEN_SECRET", Tokens.SECRET,
            "CLUBCHAT_PAGE_TOKEN_URL", "http://127.0.0.1:" + tokenEndpoint.getAddress().getPort() + "/token",
            "CLUBCHAT_HISTORY_SIZE", "5"));

    /** The host application's side: the signed-in user's token, or 401 when nobody is signed in. */
    private static HttpServer startTokenEndpoint() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/token", BrowserTokenIT::token);
            http.start();
            return http;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void token(HttpExchange exchange) throws IOException {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin != null) {
            exchange.getResponseHeaders().add("Access-Control-Allow-Origin", origin);
            exchange.getResponseHeaders().add("Access-Control-Allow-Credentials", "true");
        }
        if (!signedIn.get()) {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
            return;
        }
        tokensIssued.incrementAndGet();
        String token = Tokens.sign(Tokens.claims("user-42", Duration.ofMinutes(10)).claim("name", "Zoë 🌷"));
        Http.answerJson(exchange, Json.createObjectBuilder().add("token", token).build().toString());
    }

    @AfterAll
    static void stopTokenEndpoint() {
        tokenEndpoint.stop(0);
    }

    private static TestClient peer() {
        String token = Tokens.sign(Tokens.claims("user-7", Duration.ofMinutes(10)).claim("name", "peer"));
        TestClient peer = TestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/chat?token=" + token));
        peer.expect("welcome");
        return peer;
    }

    @Test
    void pageGetsItsTokenFromTheHostApplicationAndSaysWhatWasLost() {
        signedIn.set(true);
        try (Browser page = new Browser(server.http("/")); TestClient peer = peer()) {
            page.awaitState("online");
            assertFalse(page.find("#identity").isDisplayed(), "no name to pick: the token says who this is");
            assertEquals("online as Zoë 🌷", page.find("#state").getText());
            assertTrue(tokensIssued.get() >= 1);
            page.join("t-club");
            peer.join("t-club");
            page.say("안녕, 토큰");
            assertEquals("안녕, 토큰", peer.expectSkipping("chat", "presence").getString("message"));
            page.screenshot(Path.of("target", "screenshots", "token-mode.png"));

            page.script("window.clubChat.client.disconnect()");
            page.awaitState("offline");
            for (int i = 1; i <= 8; i++) {
                peer.chatAmidPresence("t-club", "while away " + i);
            }
            page.script("window.clubChat.client.connect()");
            page.await("the lost range", d -> page.notices("t-club").contains("3 earlier messages could not be recovered"));
            page.await("what history held", d -> page.messages("t-club").size() == 6);
            assertEquals(List.of("안녕, 토큰", "while away 4", "while away 5", "while away 6", "while away 7", "while away 8"),
                    page.messages("t-club"));
            page.screenshot(Path.of("target", "screenshots", "lost-messages.png"));
        }
    }

    @Test
    void signedOutUserIsToldWhyThePageCannotConnect() {
        signedIn.set(false);
        try (Browser page = new Browser(server.http("/"))) {
            page.awaitState("failed");
            assertEquals("You are not signed in, so there is no chat token for you. Sign in, then reload the page.",
                    page.find("#state").getText());
            page.screenshot(Path.of("target", "screenshots", "signed-out.png"));
        } finally {
            signedIn.set(true);
        }
    }
}
