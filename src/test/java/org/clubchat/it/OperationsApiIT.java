package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Http;
import org.clubchat.support.Node;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The operations API (docs/operations.md) on the default in-memory server: clubs, history, disconnect. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OperationsApiIT {
    private static final String KEY = "ops-key";
    private static final String[] AUTHORIZED = {"Authorization", "Bearer " + KEY};
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_API_KEY", KEY));

    @Test
    void clubsAreListedWithTheirMemberCounts() {
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join("ops-list");
            bob.join("ops-list");
            alice.chatAmidPresence("ops-list", "hello");
            JsonObject club = Http.json(Http.get(server.http("/api/clubs"), AUTHORIZED)).getJsonArray("clubs")
                    .getValuesAs(JsonObject.class).stream().filter(c -> c.getString("clubId").equals("ops-list")).findFirst()
                    .orElseThrow();
            assertEquals(2, club.getInt("members"));
            assertEquals(1, club.getInt("seq"));
            assertEquals(401, Http.get(server.http("/api/clubs")).statusCode(), "the API key is required");
        }
    }

    /** What the admin page polls: this node's figures behind the key, read from memory whatever the store. */
    @Test
    void summaryGivesThisNodesFiguresBehindTheKey() {
        try (TestClient alice = server.connect("alice")) {
            alice.join("ops-summary");
            alice.chat("ops-summary", "안녕");
            JsonObject summary = Http.json(Http.get(server.http("/api/summary"), AUTHORIZED));
            assertEquals("up", summary.getString("status"));
            assertTrue(summary.getInt("connections") >= 1, summary::toString);
            assertTrue(summary.getInt("clubs") >= 1, summary::toString);
            assertTrue(summary.getJsonObject("connectionsByProtocol").containsKey("socketio"), summary::toString);
            assertEquals(401, Http.get(server.http("/api/summary")).statusCode(), "the API key is required");
        }
    }

    @Test
    void historyAfterSinceComesAsTheChatFramesMembersGet() {
        try (TestClient alice = server.connect("alice")) {
            alice.join("ops-history");
            for (String text : List.of("하나", "deux ✌️", "three")) {
                alice.chat("ops-history", text);
            }
            HttpResponse<String> after = Http.get(server.http("/api/clubs/ops-history/messages?since=1"), AUTHORIZED);
            assertEquals(200, after.statusCode(), after::body);
            List<JsonObject> messages = Http.json(after).getJsonArray("messages").getValuesAs(JsonObject.class);
            assertEquals(List.of("deux ✌️", "three"), messages.stream().map(m -> m.getString("message")).toList());
            JsonObject first = messages.get(0);
            assertEquals("chat", first.getString("type"));
            assertEquals("alice", first.getString("from"));
            assertEquals(2, first.getInt("seq"));
            assertEquals(400, Http.get(server.http("/api/clubs/ops-history/messages?since=-1"), AUTHORIZED).statusCode());
            assertEquals(0, Http.json(Http.get(server.http("/api/clubs/ops-nothing/messages"), AUTHORIZED))
                    .getJsonArray("messages").size());
        }
    }

    @Test
    void disconnectClosesEveryConnectionOfTheUserAndNoOtherWith1008() {
        try (TestClient bob = server.connect("bob-ops"); TestClient bobAgain = server.connect("bob-ops");
                TestClient carol = server.connect("carol-ops")) {
            HttpResponse<String> done = Http.post(server.http("/api/disconnect"), "{\"name\":\"bob-ops\"}", AUTHORIZED);
            assertEquals(202, done.statusCode(), done::body);
            assertEquals(1008, bob.awaitClose().code());
            assertEquals(1008, bobAgain.awaitClose().code());
            carol.assertNoFrame(Duration.ofMillis(300));
            assertFalse(carol.isClosed());
            assertEquals(400, Http.post(server.http("/api/disconnect"), "{\"who\":\"x\"}", AUTHORIZED).statusCode());
        }
    }

    @Test
    void healthAndMetricsCanBePutBehindTheKey() throws Exception {
        try (ServerProcess guarded = Node.start("guarded", Map.of("CLUBCHAT_API_KEY", KEY, "CLUBCHAT_OPS_PROTECTED", "true"))) {
            assertEquals(401, Http.get(guarded.http("/health")).statusCode());
            assertEquals(401, Http.get(guarded.http("/metrics")).statusCode());
            assertEquals(200, Http.get(guarded.http("/health"), AUTHORIZED).statusCode());
            assertEquals(200, Http.get(guarded.http("/metrics"), AUTHORIZED).statusCode());
        }
        assertEquals(200, Http.get(server.http("/health")).statusCode(), "open by default");
    }
}
