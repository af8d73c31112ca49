package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Await;
import org.clubchat.support.Http;
import org.clubchat.support.Node;
import org.clubchat.support.PostgresServer;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * History in PostgreSQL (CLUBCHAT_DB_URL) on the standalone launcher, in JVMs of its own that the tests
 * kill: an ack means committed, so nothing acked is lost to a crash; a restart keeps each club's run (epoch
 * and seq); replay reaches back into the store past what memory holds, capped; a database that goes away
 * makes chats unavailable in time, never falsely acked.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DurableHistoryIT {
    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer();

    private Map<String, String> settings(String... more) {
        Map<String, String> settings = new HashMap<>(Map.of("CLUBCHAT_DB_URL", postgres.url(), "CLUBCHAT_DB_USER", postgres.user(),
                "CLUBCHAT_RATE_PER_SECOND", "1000", "CLUBCHAT_RATE_BURST", "1000", "CLUBCHAT_HISTORY_SIZE", "10"));
        for (int i = 0; i < more.length; i += 2) {
            settings.put(more[i], more[i + 1]);
        }
        return settings;
    }

    private static String text(int n) {
        return "메시지 " + n + " — café 🎉";
    }

    /**
     * 300 chats pipelined, the node killed with SIGKILL once 100 are acknowledged: started again, it
     * replays every acked message (and nothing unacked was seen by anyone), in its run, and goes on.
     */
    @Test
    void everyAckedMessageSurvivesACrashAndTheRunGoesOn() throws Exception {
        ServerProcess node = Node.start("durable-crash", settings());
        Map<Long, String> acked = new TreeMap<>();
        String epoch;
        try (TestClient alice = node.connect("앨리스")) {
            epoch = alice.join("diary").getString("epoch");
            for (int i = 0; i < 300; i++) {
                alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "diary").add("message", text(i))
                        .add("id", String.valueOf(i)));
            }
            while (acked.size() < 100) {
                JsonObject ack = alice.expect("ack");
                acked.put(ack.getJsonNumber("seq").longValue(), text(Integer.parseInt(ack.getString("id"))));
            }
            node.kill();
            JsonObject frame;
            while ((frame = alice.nextOrClosed()) != null) {
                if (frame.getString("type").equals("ack")) {
                    acked.put(frame.getJsonNumber("seq").longValue(), text(Integer.parseInt(frame.getString("id"))));
                }
            }
        } finally {
            node.close();
        }
        ServerProcess again = Node.start("durable-crash-again", settings());
        try (TestClient bob = again.connect("bob")) {
            bob.send(Json.createObjectBuilder().add("type", "join").add("clubId", "diary").add("since", 0).add("epoch", epoch));
            JsonObject joined = bob.expect("joined");
            assertEquals(epoch, joined.getString("epoch"), "the run lasts: same epoch after a crash");
            assertTrue(joined.getBoolean("recovered"));
            long top = joined.getJsonNumber("seq").longValue();
            assertTrue(top >= ((TreeMap<Long, String>) acked).lastKey(), "every acked seq is stored: " + top);
            for (long seq = 1; seq <= top; seq++) {
                JsonObject chat = bob.expect("chat");
                assertEquals(seq, chat.getJsonNumber("seq").longValue(), "gapless, in order");
                assertEquals("앨리스", chat.getString("from"));
                if (acked.containsKey(seq)) {
                    assertEquals(acked.get(seq), chat.getString("message"), "Korean, accents and emoji intact");
                }
            }
            assertEquals(top + 1, bob.chat("diary", "after the crash 👋"), "seq goes on");
        } finally {
            again.close();
        }
    }

    /** A chat's key outlives the process: a resend after a restart is the duplicate it is, with its original seq. */
    @Test
    void aKeyedResendAfterARestartIsAcknowledgedAsADuplicate() throws Exception {
        long seq;
        ServerProcess node = Node.start("durable-keys", settings());
        try (TestClient alice = node.connect("alice")) {
            alice.join("keys");
            alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "keys").add("message", "once 🔑").add("key", "k-1"));
            JsonObject ack = alice.expect("ack");
            assertFalse(ack.getBoolean("duplicate"));
            seq = ack.getJsonNumber("seq").longValue();
        } finally {
            node.close();
        }
        ServerProcess again = Node.start("durable-keys-again", settings());
        try (TestClient alice = again.connect("alice")) {
            alice.join("keys");
            alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "keys").add("message", "once 🔑").add("key", "k-1"));
            JsonObject resent = alice.expect("ack");
            assertTrue(resent.getBoolean("duplicate"), resent::toString);
            assertEquals(seq, resent.getJsonNumber("seq").longValue());
            assertEquals(seq + 1, alice.chat("keys", "the next one"), "the resend took no seq");
        } finally {
            again.close();
        }
    }

    /**
     * A key older than what memory remembers (10 minutes) is still the duplicate it is while its message
     * is in the store: answered with its seq, taking none, while the club goes on for everyone else.
     */
    @Test
    void aKeyOlderThanMemoryRemembersIsStillADuplicate() throws Exception {
        ServerProcess node = Node.start("durable-old-key", settings());
        try {
            long hourAgo = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
            try (var connection = postgres.connect(); var club = connection.prepareStatement(
                    "INSERT INTO clubchat_club (club_id, epoch, last_seq) VALUES ('old-keys', 'e-old', 1)");
                    var message = connection.prepareStatement("INSERT INTO clubchat_message (club_id, seq, ts, sender, from_name, "
                            + "message, send_key) VALUES ('old-keys', 1, ?, 'alice', 'alice', '한 시간 전 ⏳', 'k-old')")) {
                club.executeUpdate();
                message.setLong(1, hourAgo);
                message.executeUpdate();
            }
            try (TestClient alice = node.connect("alice"); TestClient bob = node.connect("bob")) {
                assertEquals("e-old", alice.join("old-keys").getString("epoch"));
                bob.join("old-keys");
                alice.expect("presence");
                assertEquals(2, alice.chat("old-keys", "a new one"));
                bob.expect("chat");
                alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "old-keys").add("message", "한 시간 전 ⏳")
                        .add("key", "k-old"));
                JsonObject resent = alice.expect("ack");
                assertTrue(resent.getBoolean("duplicate"), resent::toString);
                assertEquals(1, resent.getJsonNumber("seq").longValue());
                assertEquals(3, alice.chat("old-keys", "and on"), "the resend took no seq");
                assertEquals(3, bob.expect("chat").getJsonNumber("seq").longValue(), "nothing reached bob twice");
            }
        } finally {
            node.close();
        }
    }

    /**
     * {@code history} reads back past what memory holds (10 here) from the store, with {@code more} until
     * the first; after a restart, before anyone joins, an operator pages back from the store too.
     */
    @Test
    void historyReadsBackIntoTheStore() throws Exception {
        ServerProcess node = Node.start("durable-history", settings("CLUBCHAT_API_KEY", "durable-key"));
        try (TestClient alice = node.connect("alice")) {
            alice.join("archive");
            for (int i = 1; i <= 60; i++) {
                assertEquals(i, alice.chat("archive", text(i)));
            }
            alice.send(Json.createObjectBuilder().add("type", "history").add("clubId", "archive").add("before", 50).add("limit", 30));
            JsonObject page = alice.expect("history");
            var messages = page.getJsonArray("messages").getValuesAs(JsonObject.class);
            assertEquals(30, messages.size());
            for (int i = 0; i < 30; i++) {
                assertEquals(20 + i, messages.get(i).getJsonNumber("seq").longValue(), "consecutive, oldest first");
                assertEquals(text(20 + i), messages.get(i).getString("message"), "from the store, text intact");
            }
            assertTrue(page.getBoolean("more"));
            alice.send(Json.createObjectBuilder().add("type", "history").add("clubId", "archive").add("before", 5));
            JsonObject first = alice.expect("history");
            assertEquals(4, first.getJsonArray("messages").size());
            assertFalse(first.getBoolean("more"), "the club's first message is held: nothing older");
        } finally {
            node.close();
        }
        try (ServerProcess again = Node.start("durable-history", settings("CLUBCHAT_API_KEY", "durable-key"))) {
            JsonObject page = Http.json(Http.get(again.http("/api/clubs/archive/messages?before=50&limit=3"),
                    "Authorization", "Bearer durable-key"));
            var messages = page.getJsonArray("messages").getValuesAs(JsonObject.class);
            assertEquals(List.of(47L, 48L, 49L), messages.stream().map(m -> m.getJsonNumber("seq").longValue()).toList(),
                    "a club nobody has opened since the start is read from the store");
            assertEquals(text(49), messages.get(2).getString("message"));
            assertTrue(page.getBoolean("more"));
        }
    }

    /** What retention deleted is lost, and a replay that reaches for it says so exactly (firstSeq). */
    @Test
    void aReplayIntoWhatRetentionDeletedSaysWhatWasLost() throws Exception {
        ServerProcess node = Node.start("durable-retention", settings());
        try (TestClient alice = node.connect("alice"); TestClient late = node.connect("late")) {
            String epoch = alice.join("trimmed").getString("epoch");
            for (int i = 1; i <= 30; i++) {
                alice.chat("trimmed", text(i));
            }
            try (var connection = postgres.connect(); var delete = connection.prepareStatement(
                    "DELETE FROM clubchat_message WHERE club_id = 'trimmed' AND seq <= 15")) {
                assertEquals(15, delete.executeUpdate(), "as retention would");
            }
            late.send(Json.createObjectBuilder().add("type", "join").add("clubId", "trimmed").add("since", 0).add("epoch", epoch));
            JsonObject joined = late.expect("joined");
            assertFalse(joined.getBoolean("recovered"));
            assertEquals(16, joined.getJsonNumber("firstSeq").longValue(), "1 to 15 are gone, and the client is told");
            for (int seq = 16; seq <= 30; seq++) {
                assertEquals(seq, late.expect("chat").getJsonNumber("seq").longValue());
            }
        } finally {
            node.close();
        }
    }

    /** Memory holds 10; the store holds the rest; a replay is capped at CLUBCHAT_REPLAY_MAX and says where it began. */
    @Test
    void replayReachesIntoTheStoreAndIsCapped() throws Exception {
        ServerProcess node = Node.start("durable-replay", settings("CLUBCHAT_REPLAY_MAX", "50"));
        try (TestClient alice = node.connect("alice"); TestClient late = node.connect("late")) {
            String epoch = alice.join("long").getString("epoch");
            for (int i = 1; i <= 120; i++) {
                assertEquals(i, alice.chat("long", text(i)));
            }
            late.send(Json.createObjectBuilder().add("type", "join").add("clubId", "long").add("since", 95).add("epoch", epoch));
            JsonObject recovered = late.expect("joined");
            assertTrue(recovered.getBoolean("recovered"), recovered::toString);
            assertNull(recovered.get("replayFrom"));
            for (int seq = 96; seq <= 120; seq++) {
                assertEquals(text(seq), late.expect("chat").getString("message"), "store, then memory, without a seam");
            }
            late.send(Json.createObjectBuilder().add("type", "leave").add("clubId", "long"));
            late.expect("left");
            late.send(Json.createObjectBuilder().add("type", "join").add("clubId", "long").add("since", 0).add("epoch", epoch));
            JsonObject capped = late.expect("joined");
            assertFalse(capped.getBoolean("recovered"));
            assertEquals(71, capped.getJsonNumber("replayFrom").longValue());
            assertEquals(1, capped.getJsonNumber("firstSeq").longValue(), "the store holds everything: nothing is lost");
            for (int seq = 71; seq <= 120; seq++) {
                assertEquals(seq, late.expect("chat").getJsonNumber("seq").longValue());
            }
            late.assertNoFrame(Duration.ofMillis(200));
        } finally {
            node.close();
        }
    }

    /**
     * The database stopped during traffic: chats are answered unavailable within the protocol's 10 s (never
     * acked), /health says so, the connection stays open; once it is back, chats are acked again and the
     * run has no hole.
     */
    @Test
    void aDatabaseThatGoesAwayMakesChatsUnavailableInTimeAndTheRunHasNoHole() throws Exception {
        ServerProcess node = Node.start("durable-outage", settings());
        try (TestClient alice = node.connect("alice"); TestClient bob = node.connect("bob")) {
            alice.join("weather");
            bob.join("weather");
            alice.expect("presence");
            assertEquals(1, alice.chat("weather", "sunny"));
            bob.expect("chat");
            postgres.stop();
            try {
                long start = System.nanoTime();
                alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "weather").add("message", "storm").add("id", "s"));
                assertEquals("s", alice.expectError("unavailable").getString("id"));
                assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0);
                bob.assertNoFrame(Duration.ofMillis(300));
                HttpResponse<String> health = Http.get(node.http("/health"));
                assertEquals(503, health.statusCode());
                assertEquals("down", Http.json(health).getString("db"));
            } finally {
                postgres.startAgain();
            }
            Await.until(Duration.ofSeconds(30), () -> {
                try {
                    alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "weather").add("message", "clear")
                            .add("id", "c"));
                } catch (CompletionException e) {
                    return false;
                }
                return alice.next().getString("type").equals("ack");
            }, () -> "chats are stored again once the database is back");
            assertEquals(2, bob.expect("chat").getJsonNumber("seq").longValue(), "no hole where the refused chats were");
            Await.until(Duration.ofSeconds(10), () -> Http.get(node.http("/health")).statusCode() == 200, () -> "healthy again");
        } finally {
            node.close();
        }
    }
}
