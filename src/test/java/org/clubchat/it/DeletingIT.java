package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.ChatServer;
import org.clubchat.support.Http;
import org.clubchat.support.Node;
import org.clubchat.support.PostgresServer;
import org.clubchat.support.RedisProcess;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Deleting and erasing (docs/protocol.md, "Deleting"; docs/operations.md) against the real server in
 * each of its four modes: memory, memory with PostgreSQL, and two nodes sharing Redis, without and with
 * PostgreSQL. The same story each time: refusals in the protocol's order, a deletion every member sees,
 * a replay and a history page with the tombstone in place, a key that stays a duplicate, an operator's
 * deletion and an erasure, and the text gone from where it was stored, not hidden.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DeletingIT {
    private static final String API_KEY = "deleting-key";
    private static final String CLUB = "del";
    private static final String TEXT = "안녕 🎉 café";
    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer();

    enum Mode {
        MEMORY(false, false), STORE(true, false), REDIS(false, true), REDIS_STORE(true, true);

        final boolean store;
        final boolean redis;

        Mode(boolean store, boolean redis) {
            this.store = store;
            this.redis = redis;
        }
    }

    /** The servers of one mode: two nodes with Redis, one without (both names then point at it). */
    private final class Servers implements AutoCloseable {
        final List<AutoCloseable> running = new ArrayList<>();
        final ChatServer first;
        final ChatServer second;
        final RedisProcess redis;

        Servers(Mode mode) throws Exception {
            Map<String, String> settings = new HashMap<>(Map.of("CLUBCHAT_API_KEY", API_KEY));
            if (mode.store) {
                settings.putAll(Map.of("CLUBCHAT_DB_URL", postgres.url(), "CLUBCHAT_DB_USER", postgres.user()));
            }
            if (mode.redis) {
                redis = RedisProcess.start();
                running.add(redis);
                settings.put("CLUBCHAT_REDIS_URI", redis.uri());
                var node0 = Node.start("del-" + mode + "0", settings);
                running.add(node0);
                var node1 = Node.start("del-" + mode + "1", settings);
                running.add(node1);
                first = node0;
                second = node1;
            } else {
                redis = null;
                TestServer server = new TestServer(settings).start();
                running.add(server);
                first = server;
                second = server;
            }
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
    void membersDeleteTheirOwnAndOperatorsAnyoneSInEveryMode(Mode mode) throws Exception {
        String club = CLUB + mode.ordinal() + System.nanoTime() % 100_000;
        try (Servers servers = new Servers(mode); TestClient alice = servers.first.connect("앨리스");
                TestClient bob = servers.second.connect("bob"); TestClient outsider = servers.second.connect("mallory")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            alice.send(chat(club, TEXT).add("key", "k1").add("id", "c1"));
            assertEquals(1, alice.expect("ack").getJsonNumber("seq").longValue());
            alice.send(chat(club, "second"));
            assertEquals(2, alice.expect("ack").getJsonNumber("seq").longValue());
            assertEquals(TEXT, bob.expect("chat").getString("message"));
            bob.expect("chat");

            outsider.send(delete(club, 1, "o"));
            assertEquals("o", outsider.expectError("not_member").getString("id"), "not_member comes before not_found");
            bob.send(delete(club, 99, "n"));
            assertEquals("n", bob.expectError("not_found").getString("id"));
            bob.send(delete(club, 1, "f"));
            assertEquals("f", bob.expectError("forbidden").getString("id"), "only its sender deletes a message");

            alice.send(delete(club, 1, "d1"));
            JsonObject answer = alice.expect("deleted");
            assertEquals("d1", answer.getString("id"));
            assertEquals(club, answer.getString("clubId"));
            assertEquals(1, answer.getJsonNumber("seq").longValue());
            JsonObject told = bob.expect("deleted");
            assertEquals(1, told.getJsonNumber("seq").longValue());
            assertFalse(told.containsKey("id"));

            alice.send(delete(club, 1, "d2"));
            assertEquals("d2", alice.expect("deleted").getString("id"), "deleting a deleted message answers deleted again");
            alice.send(chat(club, TEXT).add("key", "k1").add("id", "c2"));
            JsonObject resent = alice.expect("ack");
            assertEquals(1, resent.getJsonNumber("seq").longValue());
            assertTrue(resent.getBoolean("duplicate"), "a deleted message's key still makes a resend a duplicate");

            try (TestClient carol = servers.second.connect("carol")) {
                carol.send(Json.createObjectBuilder().add("type", "join").add("clubId", club).add("since", 0));
                assertTrue(carol.expect("joined").getBoolean("recovered"));
                assertEquals(1, carol.expect("deleted").getJsonNumber("seq").longValue(), "a replay holds the tombstone in place");
                JsonObject second = carol.expect("chat");
                assertEquals(2, second.getJsonNumber("seq").longValue());
                carol.send(Json.createObjectBuilder().add("type", "history").add("clubId", club));
                List<JsonObject> page = carol.expect("history").getJsonArray("messages").getValuesAs(JsonObject.class);
                assertEquals(2, page.size());
                assertEquals(1, page.get(0).getJsonNumber("seq").longValue());
                assertTrue(page.get(0).getBoolean("deleted"));
                assertFalse(page.get(0).containsKey("message"), "nothing of what it said");
                assertEquals("second", page.get(1).getString("message"));
            }
            assertEquals("presence", bob.expect("presence").getString("type"));
            assertEquals("presence", bob.expect("presence").getString("type"));

            String auth = "Bearer " + API_KEY;
            HttpResponse<String> operator = Http.delete(servers.first.http("/api/clubs/" + club + "/messages/2"), "Authorization", auth);
            assertEquals(200, operator.statusCode(), operator.body());
            assertEquals(2, alice.expectSkipping("deleted", "presence").getJsonNumber("seq").longValue(),
                    "an operator's deletion reaches the sender too");
            assertEquals(2, bob.expectSkipping("deleted", "presence").getJsonNumber("seq").longValue());
            assertEquals(400, Http.delete(servers.first.http("/api/clubs/" + club + "/messages/two"), "Authorization", auth).statusCode());
            HttpResponse<String> missing = Http.delete(servers.first.http("/api/clubs/" + club + "/messages/99"), "Authorization", auth);
            assertEquals(404, missing.statusCode());
            assertEquals("not_found", Http.json(missing).getString("code"));

            bob.send(chat(club, "bob's first"));
            bob.expect("ack");
            bob.send(chat(club, "bob's second"));
            bob.expect("ack");
            alice.frames("chat", 2);
            assertEquals(400, Http.post(servers.first.http("/api/erase"), "{}", "Authorization", auth).statusCode());
            assertEquals(400, Http.post(servers.first.http("/api/erase"), "{\"sub\":\"bob\",\"name\":\"bob\"}", "Authorization", auth)
                    .statusCode());
            HttpResponse<String> erased = Http.post(servers.first.http("/api/erase"), "{\"name\":\"bob\"}", "Authorization", auth);
            assertEquals(200, erased.statusCode(), erased.body());
            assertEquals(2, Http.json(erased).getInt("erased"));
            assertEquals(List.of(3L, 4L), List.of(alice.expect("deleted").getJsonNumber("seq").longValue(),
                    alice.expect("deleted").getJsonNumber("seq").longValue()));

            if (mode.store) {
                assertGoneFromTheStore(club);
            }
            if (mode.redis) {
                assertGoneFromRedis(servers.redis, club);
            }
        }
    }

    /** The store keeps each seq, with neither name nor text. */
    private static void assertGoneFromTheStore(String club) throws Exception {
        try (Connection db = postgres.connect(); PreparedStatement rows = db.prepareStatement(
                "SELECT seq, from_name, message FROM clubchat_message WHERE club_id = ? ORDER BY seq")) {
            rows.setString(1, club);
            try (ResultSet row = rows.executeQuery()) {
                for (long seq = 1; seq <= 4; seq++) {
                    assertTrue(row.next(), "seq " + seq + " stays");
                    assertEquals(seq, row.getLong(1));
                    assertEquals(null, row.getString(2), "no name");
                    assertEquals(null, row.getString(3), "no text");
                }
            }
        }
    }

    /** The club's stream in Redis holds none of the deleted messages. */
    private static void assertGoneFromRedis(RedisProcess redis, String club) {
        RedisClient client = RedisClient.create(redis.uri());
        try (var connection = client.connect()) {
            var stream = connection.sync().xrange("clubchat:{" + club + "}:log", Range.create("-", "+"));
            assertEquals(List.of(), stream.stream().map(entry -> entry.getId()).toList(), "every message of the club was deleted");
            assertEquals(4, connection.sync().zcard("clubchat:{" + club + "}:gone"));
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private static jakarta.json.JsonObjectBuilder chat(String club, String text) {
        return Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", text);
    }

    private static jakarta.json.JsonObjectBuilder delete(String club, long seq, String id) {
        return Json.createObjectBuilder().add("type", "delete").add("clubId", club).add("seq", seq).add("id", id);
    }
}
