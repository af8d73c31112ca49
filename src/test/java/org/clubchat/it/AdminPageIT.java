package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Browser;
import org.clubchat.support.Http;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;

/** The admin page (webapp/admin/) in headless Chromium, reading the operations API with the API key. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AdminPageIT {
    private static final String KEY = "admin-page-key";
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_API_KEY", KEY));

    @Test
    void operatorSeesClubsMembersMessagesAndErrors() {
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("Bjørn 🐻");
                Browser admin = new Browser(server.http("/admin/"))) {
            WebSocket socketIo = socketIoClient();
            alice.join("admin-lobby");
            bob.join("admin-lobby");
            alice.chatAmidPresence("admin-lobby", "안녕하세요");
            bob.send("{\"type\":\"dance\"}");
            bob.expectSkipping("error", "chat");

            admin.find("#key").sendKeys(KEY, Keys.ENTER);
            admin.await("two refreshes: the delivery rate shown", d -> !admin.find("#rate").getText().equals("–"));
            assertTrue(Integer.parseInt(admin.find("#clubs-count").getText()) >= 1, "clubs held here, from /health");
            admin.find("#club-id").sendKeys("admin-lobby", Keys.ENTER);
            admin.await("the club opened by its id", d -> admin.find("#club-title").getText().startsWith("admin-lobby: 2 members"));
            assertEquals(0L, ((Number) admin.script("return performance.getEntriesByType('resource')"
                    + ".filter((e) => e.name.endsWith('/api/clubs')).length")).longValue(),
                    "the page polls no list of clubs, which in Redis mode scans Redis");
            admin.find("#list-clubs").click();
            admin.await("the club in the table", d -> !admin.findAll("#clubs-table tr[data-club='admin-lobby']").isEmpty());
            assertTrue(admin.find("#clubs-listed").getText().matches("\\d+ clubs?, listed at .*"), admin.find("#clubs-listed").getText());
            var row = admin.find("#clubs-table tr[data-club='admin-lobby']");
            assertEquals("2", row.findElements(By.tagName("td")).get(1).getText());
            row.findElement(By.tagName("button")).click();
            admin.await("the club's messages", d -> admin.find("#club-messages").getText().contains("안녕하세요"));
            assertTrue(admin.find("#club-members").getText().contains("Bjørn 🐻"));
            admin.await("the unknown_type error counted", d -> admin.find("#errors-table").getText().contains("error unknown_type"));
            assertEquals("3", admin.find("#connections").getText());
            assertEquals("2 native · 1 socket.io", admin.find("#connections-by-protocol").getText());
            admin.screenshot(Path.of("target", "screenshots", "admin.png"));

            admin.await("alice disconnected from the page", d -> {
                try {
                    admin.find("#club-members button[data-name='alice']").click();
                    return true;
                } catch (StaleElementReferenceException rerendered) {
                    return false;
                }
            });
            TestClient.Closed closed = alice.awaitClose();
            assertEquals(1008, closed.code());
            assertEquals("disconnected by an operator", closed.reason());
            admin.await("the page says so", d -> admin.find("#action").getText().startsWith("alice: every connection closed"));
            admin.await("alice gone from the members", d -> !admin.find("#club-members").getText().contains("alice"));
            admin.screenshot(Path.of("target", "screenshots", "admin-disconnected.png"));
            socketIo.abort();
        }
    }

    /** A socket.io client as the wire has it: the Engine.IO open packet, then CONNECT to the main namespace. */
    private static WebSocket socketIoClient() {
        CompletableFuture<Void> connected = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(
                URI.create("ws://127.0.0.1:" + server.port() + "/socket.io/?EIO=4&transport=websocket&name=sio"),
                new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        if (data.charAt(0) == '0') {
                            webSocket.sendText("40", true);
                        } else if (data.toString().startsWith("40")) {
                            connected.complete(null);
                        }
                        webSocket.request(1);
                        return null;
                    }
                }).join();
        connected.orTimeout(10, TimeUnit.SECONDS).join();
        return socket;
    }

    /** An operator ends a user's connection: the page says so in the server's words (not "your session expired") and comes back. */
    /** The newest 50 of a club's messages, and earlier pages on demand down to what the server holds (100 in memory). */
    @Test
    void operatorPagesBackThroughAClub() {
        try (Browser admin = new Browser(server.http("/admin/"))) {
            for (int i = 1; i <= 130; i++) {
                String body = Json.createObjectBuilder().add("message", "글 " + i + " — café 🎉").add("from", "작가").build().toString();
                assertEquals(201, Http.post(server.http("/api/clubs/admin-pages/messages"), body, "Authorization", "Bearer " + KEY)
                        .statusCode());
            }
            admin.find("#key").sendKeys(KEY, Keys.ENTER);
            admin.find("#club-id").sendKeys("admin-pages", Keys.ENTER);
            admin.await("the newest 50", d -> admin.findAll("#club-messages li[data-seq]").size() == 50
                    && "81".equals(admin.find("#club-messages li[data-seq]").getAttribute("data-seq")));
            assertTrue(admin.find("#club-messages").getText().contains("#130 작가: 글 130 — café 🎉"), admin.find("#club-messages").getText());
            admin.script("document.getElementById('club-messages').scrollTop = 0");
            admin.screenshot(Path.of("target", "screenshots", "admin-messages.png"));
            admin.find("#read-earlier").click();
            admin.await("50 more above", d -> admin.findAll("#club-messages li[data-seq]").size() == 100);
            assertEquals("31", admin.find("#club-messages li[data-seq]").getAttribute("data-seq"), "memory holds the newest 100");
            admin.await("nothing older held", d -> admin.find("#club-messages li.earlier").getText()
                    .equals("the beginning of what the server holds"));
            admin.script("document.getElementById('club-messages').scrollTop = 0");
            admin.screenshot(Path.of("target", "screenshots", "admin-messages-earlier.png"));
        }
    }

    @Test
    void chatPageSaysAnOperatorClosedItsConnection() {
        try (Browser page = new Browser(server.http("/"))) {
            page.connectAs("Zoë 재민");
            var disconnected = Http.post(server.http("/api/disconnect"), "{\"name\":\"Zoë 재민\"}",
                    "Authorization", "Bearer " + KEY, "Content-Type", "application/json");
            assertEquals(202, disconnected.statusCode(), disconnected::body);
            page.await("the server's words", d -> page.find("#state").getText()
                    .startsWith("the server closed the connection: disconnected by an operator; retrying in"));
            page.screenshot(Path.of("target", "screenshots", "disconnected-by-operator.png"));
            page.awaitState("online");
            assertEquals("online as Zoë 재민", page.find("#state").getText());
        }
    }

    @Test
    void wrongKeyIsSaidInWords() {
        try (Browser admin = new Browser(server.http("/admin/"))) {
            admin.find("#key").sendKeys("not-the-key", Keys.ENTER);
            admin.await("the refusal", d -> "the API key was refused".equals(admin.find("#status").getText()));
        }
    }
}
