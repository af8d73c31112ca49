package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import org.clubchat.support.Browser;
import org.clubchat.support.ChatServer;
import org.clubchat.support.JavaSocketIoClient;
import org.clubchat.support.Node;
import org.clubchat.support.RedisProcess;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Large clubs (docs/protocol.md, "Large clubs") against the real server with a presence limit of 3: above
 * it, `joined` lists the first names and counts them all, `count` replaces `presence` (natively and on
 * socket.io), `members` pages through every name, and below it presence comes back after one `count`. In
 * memory mode, and in Redis mode with the members spread over two nodes.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LargeClubIT {
    private static final Map<String, String> LIMIT_3 = Map.of("CLUBCHAT_PRESENCE_LIMIT", "3");
    @RegisterExtension
    static final TestServer server = new TestServer(LIMIT_3);

    enum Mode {
        MEMORY, REDIS
    }

    /** Two nodes sharing a Redis, or the one in-process server twice. */
    private record Nodes(ChatServer first, ChatServer second, List<AutoCloseable> running) implements AutoCloseable {
        static Nodes of(Mode mode) throws Exception {
            if (mode == Mode.MEMORY) {
                return new Nodes(server, server, List.of());
            }
            List<AutoCloseable> running = new ArrayList<>();
            RedisProcess redis = RedisProcess.start();
            running.add(redis);
            Map<String, String> settings = new HashMap<>(LIMIT_3);
            settings.put("CLUBCHAT_REDIS_URI", redis.uri());
            ServerProcess node0 = Node.start("large0", settings);
            running.add(node0);
            ServerProcess node1 = Node.start("large1", settings);
            running.add(node1);
            return new Nodes(node0, node1, running);
        }

        /** The node of the i-th client: every other one on the second node. */
        ChatServer of(int i) {
            return i % 2 == 0 ? first : second;
        }

        @Override
        public void close() throws Exception {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aClubAboveThePresenceLimitCountsItsNamesAndListsThemInPages(Mode mode) throws Exception {
        String club = "big" + mode.ordinal();
        List<String> names = List.of("앨리스", "bob", "carol", "dave", "Émile 🎉");
        List<TestClient> clients = new ArrayList<>();
        try (Nodes nodes = Nodes.of(mode); JavaSocketIoClient android = JavaSocketIoClient.named(nodes.second(), "zoë").connected()) {
            JSONObject sioJoined = (JSONObject) android.emitWithAck("join", new JSONObject(Map.of("clubId", club))).get(0);
            assertEquals(1, sioJoined.getInt("count"));
            for (int i = 0; i < names.size(); i++) {
                TestClient client = nodes.of(i).connect(names.get(i));
                clients.add(client);
                client.join(club);
            }
            JsonObject last = clients.get(4).next();
            assertEquals("count", last.getString("type"), () -> "no presence in a large club: " + last);
            TestClient first = clients.get(0);
            List<String> presence = new ArrayList<>();
            int count = 0;
            while (count != 6) {
                JsonObject frame = first.next();
                if (frame.getString("type").equals("presence")) {
                    presence.add(frame.getString("name"));
                } else {
                    assertEquals("count", frame.getString("type"), frame::toString);
                    count = frame.getInt("count");
                }
            }
            assertEquals(List.of("bob"), presence, "presence while the club has 3 names (zoë, 앨리스, bob), counts after");
            int sioCount = 0;
            while (sioCount != 6) {
                sioCount = ((JSONObject) android.expect("count").args().get(0)).getInt("count");
            }

            TestClient newcomer = nodes.second().connect("newcomer");
            JsonObject joined = newcomer.join(club);
            assertEquals(List.of("bob", "carol", "dave"), TestClient.members(joined), "the first names in code point order");
            assertEquals(7, joined.getInt("count"));
            List<String> listed = new ArrayList<>();
            String after = null;
            boolean more = true;
            while (more) {
                var asked = Json.createObjectBuilder().add("type", "members").add("clubId", club).add("limit", 2).add("id", "m");
                if (after != null) {
                    asked.add("after", after);
                }
                newcomer.send(asked);
                JsonObject page = newcomer.expectSkipping("members", "count");
                assertEquals(7, page.getInt("count"));
                page.getJsonArray("names").getValuesAs(jakarta.json.JsonString.class).forEach(name -> listed.add(name.getString()));
                more = page.getBoolean("more");
                after = listed.get(listed.size() - 1);
            }
            assertEquals(List.of("bob", "carol", "dave", "newcomer", "zoë", "Émile 🎉", "앨리스"), listed, "every name once, in code point order");
            JSONObject sioPage = (JSONObject) android.emitWithAck("members", new JSONObject(Map.of("clubId", club, "limit", 3))).get(0);
            assertEquals(7, sioPage.getInt("count"));
            assertTrue(sioPage.getBoolean("more"));
            assertEquals(3, sioPage.getJSONArray("names").length());
            newcomer.send(Json.createObjectBuilder().add("type", "members").add("clubId", "elsewhere").add("id", "x"));
            assertEquals("x", newcomer.expectError("not_member").getString("id"));

            newcomer.close();
            for (int i = 4; i >= 2; i--) {
                clients.remove(i).close();
            }
            int shrunk = 0;
            while (shrunk != 3) {
                JsonObject frame = first.next();
                assertEquals("count", frame.getString("type"), () -> "presence waits until the club is back at its limit: " + frame);
                shrunk = frame.getInt("count");
            }
            // Only now does bob leave: on two nodes, leaves closed at once reach Redis in either order.
            clients.remove(1).close();
            JsonObject gone = first.expect("presence");
            assertEquals(List.of("leave", "bob"), List.of(gone.getString("event"), gone.getString("name")),
                    "back at the limit, one count came first; then presence as before");
            try (TestClient again = nodes.second().connect("bob")) {
                again.join(club);
                JsonObject back = first.expect("presence");
                assertEquals(List.of("join", "bob"), List.of(back.getString("event"), back.getString("name")));
            }
        } finally {
            clients.forEach(TestClient::close);
        }
    }

    /** The page in headless Chromium: "Members (N)" follows the count, and the names come in pages. */
    @Test
    void thePageShowsALargeClubsCountAndItsNamesInPages() {
        String club = "big-page";
        List<TestClient> clients = new ArrayList<>();
        try (Browser page = new Browser(server.http("/"))) {
            for (String name : List.of("앨리스", "bob", "carol", "dave", "Émile 🎉")) {
                TestClient client = server.connect(name);
                clients.add(client);
                client.join(club);
            }
            page.connectAs("zoë 🦊");
            page.join(club);
            assertEquals("(6)", memberCount(page));
            assertEquals(List.of("bob", "carol", "dave", "Show more names (3 of 6)"), page.memberNames());
            page.screenshot(Path.of("target", "screenshots", "large-club.png"));
            page.script("document.querySelector('.more-names').click()");
            page.await("every name", d -> page.memberNames().equals(List.of("bob", "carol", "dave", "zoë 🦊", "Émile 🎉", "앨리스",
                    "Refresh the names")));
            TestClient late = server.connect("newcomer");
            clients.add(late);
            late.join(club);
            page.await("the count from the server", d -> memberCount(page).equals("(7)"));
            assertEquals(List.of(), page.notices(club).stream().filter(n -> n.contains("joined")).toList(),
                    "no line per arrival in a large club");
            page.screenshot(Path.of("target", "screenshots", "large-club-names.png"));
        } finally {
            clients.forEach(TestClient::close);
        }
    }

    private static String memberCount(Browser page) {
        return (String) page.script("return document.getElementById('member-count').textContent");
    }
}
