package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Await;
import org.clubchat.support.Http;
import org.clubchat.support.Node;
import org.clubchat.support.PostgresServer;
import org.clubchat.support.RedisProcess;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two nodes sharing clubs through a real redis-server, with the history in a real PostgreSQL: the store
 * gives the seqs, so they stay gapless and unique across nodes, and Redis is a cache that can be lost.
 * Redis restarted empty closes nobody and the run goes on; a subscription gap far longer than the Redis
 * stream is filled from the store; keys hold across nodes and Redis restarts.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DurableClusterIT {
    private static final String API_KEY = "durable-cluster-key";
    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer();

    /** The store, Redis with a stream of 5 messages only, and limits that let a test pipeline. */
    private Map<String, String> settings(RedisProcess redis) {
        Map<String, String> settings = new HashMap<>(Map.of("CLUBCHAT_DB_URL", postgres.url(), "CLUBCHAT_DB_USER", postgres.user(),
                "CLUBCHAT_REDIS_URI", redis.uri(), "CLUBCHAT_HISTORY_SIZE", "5", "CLUBCHAT_API_KEY", API_KEY,
                "CLUBCHAT_RATE_PER_SECOND", "1000", "CLUBCHAT_RATE_BURST", "1000"));
        return settings;
    }

    private static String text(String who, int n) {
        return who + " 메시지 " + n + " — café 🎉";
    }

    /**
     * Senders on both nodes pipeline at once into one club: the acks together are every seq from 1 up,
     * each once; both members see one gapless order; a newcomer replays all of it from the store.
     */
    @Test
    void sendersOnTwoNodesGetGaplessUniqueSeqsAndTheStoreHoldsThemAll() throws Exception {
        int each = 150;
        try (RedisProcess redis = RedisProcess.start(); ServerProcess node0 = Node.start("dc-order0", settings(redis));
                ServerProcess node1 = Node.start("dc-order1", settings(redis));
                TestClient alice = node0.connect("앨리스"); TestClient bob = node1.connect("bob")) {
            String epoch = alice.join("order").getString("epoch");
            assertEquals(epoch, bob.join("order").getString("epoch"), "both nodes read one run from the store");
            alice.expect("presence");
            for (int i = 0; i < each; i++) {
                alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "order").add("message", text("a", i))
                        .add("id", "a" + i));
                bob.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "order").add("message", text("b", i))
                        .add("id", "b" + i));
            }
            Map<Long, String> aliceSaw = seen(alice, "a", 2 * each);
            Map<Long, String> bobSaw = seen(bob, "b", 2 * each);
            assertEquals(aliceSaw, bobSaw, "one order, whichever node a member is on");
            assertEquals(2 * each, aliceSaw.size());

            bob.send(Json.createObjectBuilder().add("type", "history").add("clubId", "order").add("before", 101).add("limit", 100));
            JsonObject page = bob.expect("history");
            var read = page.getJsonArray("messages").getValuesAs(JsonObject.class);
            assertEquals(100, read.size(), "read back from the store, far past Redis's 5");
            for (int i = 0; i < 100; i++) {
                assertEquals(aliceSaw.get(i + 1L), read.get(i).getString("message"));
            }
            assertFalse(page.getBoolean("more"));
            JsonObject operator = Http.json(Http.get(node0.http("/api/clubs/order/messages?before=3&limit=100"),
                    "Authorization", "Bearer " + API_KEY));
            assertEquals(List.of(aliceSaw.get(1L), aliceSaw.get(2L)), operator.getJsonArray("messages").getValuesAs(JsonObject.class)
                    .stream().map(m -> m.getString("message")).toList(), "an operator reads back from the store");

            try (TestClient carol = node1.connect("carol")) {
                carol.send(Json.createObjectBuilder().add("type", "join").add("clubId", "order").add("since", 0).add("epoch", epoch));
                JsonObject joined = carol.expect("joined");
                assertTrue(joined.getBoolean("recovered"), joined::toString);
                assertEquals(1, joined.getJsonNumber("firstSeq").longValue());
                for (long seq = 1; seq <= 2 * each; seq++) {
                    JsonObject chat = carol.expect("chat");
                    assertEquals(seq, chat.getJsonNumber("seq").longValue(), "replayed from the store, far past Redis's 5");
                    assertEquals(aliceSaw.get(seq), chat.getString("message"), "Korean, accents and emoji intact");
                }
            }
        }
    }

    /**
     * What a member saw of the club, by seq: its own chats as acks (every one acknowledged, in order), the
     * others' as chats, every seq from 1 once and in order.
     */
    private static Map<Long, String> seen(TestClient member, String own, int total) {
        Map<Long, String> seen = new TreeMap<>();
        for (long seq = 1; seq <= total; seq++) {
            JsonObject frame = member.nextOrClosedSkipping("presence");
            assertTrue(frame != null, "the member stays connected");
            assertEquals(seq, frame.getJsonNumber("seq").longValue(), () -> "gapless and in order: " + frame);
            if (frame.getString("type").equals("ack")) {
                assertFalse(frame.getBoolean("duplicate"));
                int n = Integer.parseInt(frame.getString("id").substring(own.length()));
                seen.put(seq, text(own, n));
            } else {
                assertEquals("chat", frame.getString("type"), frame::toString);
                seen.put(seq, frame.getString("message"));
            }
        }
        return seen;
    }

    /**
     * Redis restarted empty while members chat on two nodes: nobody is closed, seqs go on from the store,
     * keys still hold, and a re-join with {@code since} recovers in the same run.
     */
    @Test
    void redisRestartedEmptyClosesNobodyAndTheRunGoesOn() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); ServerProcess node0 = Node.start("dc-restart0", settings(redis));
                ServerProcess node1 = Node.start("dc-restart1", settings(redis));
                TestClient alice = node0.connect("alice"); TestClient bob = node1.connect("bob")) {
            String epoch = alice.join("lasting").getString("epoch");
            bob.join("lasting");
            alice.expect("presence");
            alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "lasting").add("message", "키 있는 메시지")
                    .add("key", "k-1"));
            assertEquals(1, alice.expect("ack").getJsonNumber("seq").longValue());
            for (int i = 2; i <= 10; i++) {
                assertEquals(i, alice.chat("lasting", "before " + i));
            }
            assertEquals(10, bob.frames("chat", 10).get(9).getJsonNumber("seq").longValue());

            redis.stop();
            redis.startAgain();
            for (ServerProcess node : List.of(node0, node1)) {
                Await.until(Duration.ofSeconds(20), () -> Http.get(node.http("/health")).statusCode() == 200,
                        () -> node + " sees Redis again");
            }
            // The chats go on from the store's seq, and reach the other node once its subscription is back.
            long seq = 11;
            assertEquals(seq, alice.chat("lasting", "after the restart ☀️"));
            JsonObject chat = bob.nextOrClosedSkipping("presence");
            assertTrue(chat != null, "bob was not closed");
            assertEquals(seq, chat.getJsonNumber("seq").longValue(), chat::toString);
            assertEquals(seq + 1, bob.chat("lasting", "and back"));
            assertEquals(seq + 1, alice.expectSkipping("chat", "presence").getJsonNumber("seq").longValue());

            try (TestClient again = node1.connect("alice")) {
                again.send(Json.createObjectBuilder().add("type", "join").add("clubId", "lasting").add("since", 0).add("epoch", epoch));
                JsonObject joined = again.expect("joined");
                assertEquals(epoch, joined.getString("epoch"), "the run outlives Redis");
                assertTrue(joined.getBoolean("recovered"), joined::toString);
                assertEquals("키 있는 메시지", again.expect("chat").getString("message"));
                for (long replayed = 2; replayed <= seq + 1; replayed++) {
                    assertEquals(replayed, again.expect("chat").getJsonNumber("seq").longValue());
                }
                again.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "lasting").add("message", "키 있는 메시지")
                        .add("key", "k-1"));
                JsonObject resent = again.expect("ack");
                assertTrue(resent.getBoolean("duplicate"), "the key outlives Redis, on another node: " + resent);
                assertEquals(1, resent.getJsonNumber("seq").longValue());
            }
            assertFalse(alice.isClosed());
            assertFalse(bob.isClosed());
        }
    }

    /**
     * The measurement with the store: 250 pipelined chats while the nodes' pub/sub connections are
     * killed three times, with a stream of 5. Every chat is acknowledged, nobody is closed, and the other
     * node's member gets every seq in order: what the stream no longer held came from the store.
     */
    @Test
    void aSubscriptionGapLongerThanTheStreamIsFilledFromTheStore() throws Exception {
        int burst = 250;
        try (RedisProcess redis = RedisProcess.start(); ServerProcess node0 = Node.start("dc-gap0", settings(redis));
                ServerProcess node1 = Node.start("dc-gap1", settings(redis))) {
            RedisClient admin = RedisClient.create(redis.uri());
            try (var adminConnection = admin.connect(); TestClient alice = node0.connect("alice"); TestClient bob = node1.connect("bob")) {
                bob.join("storm");
                alice.join("storm");
                bob.expect("presence");
                for (int i = 0; i < burst; i++) {
                    alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "storm").add("message", text("a", i))
                            .add("id", "c" + i));
                    if (i == 20 || i == 60 || i == 100) {
                        adminConnection.sync().clientKill(KillArgs.Builder.typePubsub());
                    }
                }
                List<Long> acked = new ArrayList<>();
                for (int i = 0; i < burst; i++) {
                    JsonObject ack = alice.nextOrClosedSkipping("presence");
                    assertTrue(ack != null, "the sender is not closed");
                    assertEquals("ack", ack.getString("type"), ack::toString);
                    acked.add(ack.getJsonNumber("seq").longValue());
                }
                assertEquals(burst, acked.get(burst - 1), "every chat stored, in order");
                for (long seq = 1; seq <= burst; seq++) {
                    JsonObject chat = bob.nextOrClosedSkipping("presence");
                    assertTrue(chat != null, "bob is not closed: the store fills what the stream lost");
                    assertEquals(seq, chat.getJsonNumber("seq").longValue(), chat::toString);
                    assertEquals(text("a", (int) seq - 1), chat.getString("message"));
                }
                bob.assertNoFrame(Duration.ofMillis(300));
            } finally {
                admin.shutdown();
            }
        }
    }

    /**
     * PostgreSQL stopped under two nodes: a chat is answered {@code unavailable} in time (never acked), a
     * join that needs the store too, /health says {@code "db":"down"}; once it is back the run goes on
     * without a hole, on both nodes.
     */
    @Test
    void aDatabaseThatGoesAwayIsAnsweredInTimeAndTheRunHasNoHole() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); ServerProcess node0 = Node.start("dc-db0", settings(redis));
                ServerProcess node1 = Node.start("dc-db1", settings(redis));
                TestClient alice = node0.connect("alice"); TestClient bob = node1.connect("bob")) {
            alice.join("tides");
            bob.join("tides");
            alice.expect("presence");
            assertEquals(1, alice.chat("tides", "high"));
            assertEquals(1, bob.expect("chat").getJsonNumber("seq").longValue());
            postgres.stop();
            try {
                long start = System.nanoTime();
                alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "tides").add("message", "low").add("id", "l"));
                assertEquals("l", alice.expectError("unavailable").getString("id"));
                bob.send(Json.createObjectBuilder().add("type", "join").add("clubId", "new-club").add("id", "j"));
                assertEquals("j", bob.expectError("unavailable").getString("id"));
                assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0);
                HttpResponse<String> health = Http.get(node0.http("/health"));
                assertEquals(503, health.statusCode());
                assertEquals("down", Http.json(health).getString("db"));
                assertEquals("up", Http.json(health).getString("redis"));
            } finally {
                postgres.startAgain();
            }
            Await.until(Duration.ofSeconds(30), () -> {
                alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "tides").add("message", "turning")
                        .add("id", "t"));
                return alice.next().getString("type").equals("ack");
            }, () -> "chats are stored again once the database is back");
            JsonObject chat = bob.expect("chat");
            assertEquals(2, chat.getJsonNumber("seq").longValue(), "no hole where the refused chat was");
            assertEquals(3, bob.chat("tides", "slack"));
            assertEquals(3, alice.expect("chat").getJsonNumber("seq").longValue());
        }
    }

    /** The publish API on one node, its keyed resend on the other: stored once, with the store's seq, heard on both. */
    @Test
    void publishedMessagesTakeTheStoresSeqsAndKeysAcrossNodes() throws Exception {
        String body = "{\"message\":\"한 번만 ✓\",\"key\":\"order-7\"}";
        try (RedisProcess redis = RedisProcess.start(); ServerProcess node0 = Node.start("dc-publish0", settings(redis));
                ServerProcess node1 = Node.start("dc-publish1", settings(redis)); TestClient alice = node0.connect("alice")) {
            alice.join("news");
            assertEquals(1, alice.chat("news", "first"));
            HttpResponse<String> created = Http.post(node1.http("/api/clubs/news/messages"), body, "Authorization", "Bearer " + API_KEY);
            assertEquals(201, created.statusCode(), created::body);
            assertEquals(2, Http.json(created).getJsonNumber("seq").longValue());
            HttpResponse<String> resent = Http.post(node0.http("/api/clubs/news/messages"), body, "Authorization", "Bearer " + API_KEY);
            assertEquals(200, resent.statusCode(), resent::body);
            assertTrue(Http.json(resent).getBoolean("duplicate"));
            assertEquals(2, Http.json(resent).getJsonNumber("seq").longValue());
            JsonObject chat = alice.expect("chat");
            assertEquals("한 번만 ✓", chat.getString("message"));
            assertEquals(2, chat.getJsonNumber("seq").longValue());
            assertEquals(3, alice.chat("news", "after"), "the resend took no seq and reached nobody");
            JsonObject health = Http.json(Http.get(node1.http("/health")));
            assertEquals("up", health.getString("redis"));
            assertEquals("up", health.getString("db"));
            assertEquals("up", health.getString("status"));
        }
    }
    /**
     * A cluster that ran on Redis alone is given the store, and later a node without it shares Redis for
     * a while: the clubs keep their runs (members recover), and the store goes on after the seqs Redis gave
     * without it, so no seq of the run names two messages and nothing sent afterwards is lost.
     */
    @Test
    void runsRedisGaveWithoutTheStoreGoOnInIt() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            Map<String, String> redisOnly = new HashMap<>(settings(redis));
            redisOnly.remove("CLUBCHAT_DB_URL");
            redisOnly.remove("CLUBCHAT_DB_USER");
            String epoch;
            try (ServerProcess before = Node.start("dc-upgrade0", redisOnly); TestClient alice = before.connect("alice")) {
                epoch = alice.join("upgrade").getString("epoch");
                for (int i = 1; i <= 3; i++) {
                    assertEquals(i, alice.chat("upgrade", text("a", i)));
                }
            }
            try (ServerProcess stored = Node.start("dc-upgrade1", settings(redis)); TestClient alice = stored.connect("alice")) {
                assertEquals(3, rejoin(alice, epoch, 3).getJsonNumber("seq").longValue(), "the store took on the run Redis held");
                assertEquals(4, alice.chat("upgrade", text("a", 4)));
            }
            try (ServerProcess without = Node.start("dc-upgrade2", redisOnly); TestClient alice = without.connect("alice")) {
                rejoin(alice, epoch, 4);
                assertEquals(5, alice.chat("upgrade", text("a", 5)));
                assertEquals(6, alice.chat("upgrade", text("a", 6)));
            }
            try (ServerProcess stored = Node.start("dc-upgrade3", settings(redis)); TestClient alice = stored.connect("alice");
                    TestClient bob = stored.connect("bob")) {
                assertEquals(6, rejoin(alice, epoch, 6).getJsonNumber("seq").longValue(), "the store went on after Redis's seqs");
                bob.join("upgrade");
                alice.expect("presence");
                for (long seq = 7; seq <= 9; seq++) {
                    assertEquals(seq, alice.chat("upgrade", text("a", (int) seq)));
                    JsonObject chat = bob.expect("chat");
                    assertEquals(seq, chat.getJsonNumber("seq").longValue());
                    assertEquals(text("a", (int) seq), chat.getString("message"));
                }
                bob.send(Json.createObjectBuilder().add("type", "history").add("clubId", "upgrade"));
                var read = bob.expect("history").getJsonArray("messages").getValuesAs(JsonObject.class);
                assertEquals(List.of(4L, 7L, 8L, 9L), read.stream().map(m -> m.getJsonNumber("seq").longValue()).toList(),
                        "what the store took, and nothing under a seq Redis gave another message");
            }
        }
    }

    /** Joins the club with {@code since} in {@code epoch} and checks that the run was recovered. */
    private static JsonObject rejoin(TestClient member, String epoch, long since) {
        member.send(Json.createObjectBuilder().add("type", "join").add("clubId", "upgrade").add("since", since).add("epoch", epoch));
        JsonObject joined = member.expect("joined");
        assertEquals(epoch, joined.getString("epoch"), joined::toString);
        assertTrue(joined.getBoolean("recovered"), joined::toString);
        return joined;
    }
}
