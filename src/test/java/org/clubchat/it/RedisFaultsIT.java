package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Await;
import org.clubchat.support.Http;
import org.clubchat.support.Node;
import org.clubchat.support.RedisProcess;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Redis misbehaves under two nodes: every request still gets a definite answer within the protocol's
 * 10 seconds, and no member meets a silent gap (docs/protocol.md, "Answers are definite and bounded",
 * "What was lost").
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RedisFaultsIT {
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
    private static final String API_KEY = "faults-key";

    private static Map<String, String> settings(RedisProcess redis, int history) {
        Map<String, String> settings = new HashMap<>(Map.of("CLUBCHAT_REDIS_URI", redis.uri(), "CLUBCHAT_API_KEY", API_KEY,
                "CLUBCHAT_RATE_PER_SECOND", "1000", "CLUBCHAT_RATE_BURST", "1000"));
        if (history > 0) {
            settings.put("CLUBCHAT_HISTORY_SIZE", String.valueOf(history));
        }
        return settings;
    }

    /**
     * The measurement: 250 pipelined chats while the nodes' pub/sub connections are killed three
     * times. Before, the sender waited 30 s and more for answers that never came.
     *
     * @param history 0 for the default (100), or a history shorter than what the kills make a node miss
     */
    @ParameterizedTest(name = "history {0}")
    @ValueSource(ints = {0, 5})
    void burstWhilePubSubConnectionsAreKilledIsAnsweredAndNeverSkipsSilently(int history) throws Exception {
        int burst = 250;
        try (RedisProcess redis = RedisProcess.start(); ServerProcess node0 = Node.start("kill0", settings(redis, history));
                ServerProcess node1 = Node.start("kill1", settings(redis, history))) {
            RedisClient admin = RedisClient.create(redis.uri());
            try (var adminConnection = admin.connect(); TestClient alice = node0.connect("alice");
                    TestClient bob = node1.connect("bob")) {
                RedisCommands<String, String> commands = adminConnection.sync();
                JsonObject joined = bob.join("storm");
                String epoch = joined.getString("epoch");
                alice.join("storm");
                bob.expect("presence");

                int sentCount = 0;
                try {
                    for (; sentCount < burst; sentCount++) {
                        alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "storm")
                                .add("message", "메시지 " + sentCount).add("id", "c" + sentCount));
                        if (sentCount == 20 || sentCount == 60 || sentCount == 100) {
                            commands.clientKill(KillArgs.Builder.typePubsub());
                        }
                    }
                } catch (CompletionException closedMeanwhile) {
                    TestClient.Closed closed = alice.awaitCloseOrFailure();
                    assertTrue(closed == null || closed.code() == 1011, "only a 1011 close stops the burst: " + closed);
                }
                long sent = System.nanoTime();

                // Alice: an answer to every chat, or a close that tells her to re-join. Bob's leave may come
                // between them when his node closes him for what it missed.
                Set<String> answered = new HashSet<>();
                long lastAcked = 0;
                JsonObject frame;
                while (answered.size() < sentCount && (frame = alice.nextOrClosedSkipping("presence")) != null) {
                    String type = frame.getString("type");
                    assertTrue(type.equals("ack") || type.equals("error"), frame::toString);
                    if (type.equals("error")) {
                        assertEquals("unavailable", frame.getString("code"), frame::toString);
                    } else {
                        long seq = frame.getJsonNumber("seq").longValue();
                        assertTrue(seq > lastAcked, "acks in seq order: " + seq + " after " + lastAcked);
                        lastAcked = seq;
                    }
                    answered.add(frame.getString("id"));
                }
                if (answered.size() < sentCount) {
                    TestClient.Closed closed = alice.awaitCloseOrFailure();
                    assertTrue(closed == null || closed.code() == 1011, "a sender whose answers cannot come is told to re-join: " + closed);
                    // Only the pub/sub connections were killed: Redis answered every append, so each chat it
                    // stored was acknowledged before the close (the replies the server could give).
                    try (TestClient back = node0.connect("alice")) {
                        back.send(Json.createObjectBuilder().add("type", "join").add("clubId", "storm").add("since", 0));
                        long top = back.expect("joined").getJsonNumber("seq").longValue();
                        for (long seq = Math.max(1, top - (history == 0 ? 100 : history) + 1); seq <= top; seq++) {
                            String message = back.expect("chat").getString("message");
                            String id = "c" + message.substring(message.indexOf(' ') + 1);
                            assertTrue(answered.contains(id), () -> message + " was stored but not acknowledged before the close");
                        }
                    }
                }
                Duration took = Duration.ofNanos(System.nanoTime() - sent);
                assertTrue(took.compareTo(ANSWER_WITHIN) < 0, "every chat answered, or the sender closed, after " + took);

                // Bob: every seq in order from his join, or a 1011 close, after which a re-join says what was lost
                // (Alice's leave may come between them when her node closes her).
                long seen = joined.getJsonNumber("seq").longValue();
                long stored = lastAcked;
                while (seen < stored && (frame = bob.nextOrClosedSkipping("presence")) != null) {
                    assertEquals("chat", frame.getString("type"), frame::toString);
                    assertEquals(seen + 1, frame.getJsonNumber("seq").longValue(), "no gap: " + frame);
                    seen++;
                }
                if (seen < stored) {
                    assertEquals(1011, bob.awaitClose().code());
                    try (TestClient again = node1.connect("bob")) {
                        again.send(Json.createObjectBuilder().add("type", "join").add("clubId", "storm").add("since", seen)
                                .add("epoch", epoch));
                        JsonObject rejoined = again.expect("joined");
                        assertNotNull(rejoined.get("recovered"));
                        long first = seen + 1;
                        if (history == 5) {
                            assertFalse(rejoined.getBoolean("recovered"), "5 messages of history cannot hold what was missed");
                        }
                        long top = rejoined.getJsonNumber("seq").longValue();
                        assertTrue(top >= stored, "the club holds every acked message: " + top + " >= " + stored);
                        long expected = rejoined.getBoolean("recovered") ? first : top - Math.min(top, history == 0 ? 100 : history) + 1;
                        for (long seq = expected; seq <= top; seq++) {
                            assertEquals(seq, again.expect("chat").getJsonNumber("seq").longValue(), "replay in order");
                        }
                    }
                }
            } finally {
                admin.shutdown();
            }
        }
    }

    /**
     * Redis stops answering for longer than the command timeout and the protocol's 10 s: a join is
     * answered unavailable and undone, a leave is answered, a chat whose fate cannot be learned closes
     * its sender with 1011; once Redis is back, the sender finds its message by re-joining with since,
     * and nobody sees a member who was never there.
     */
    @Test
    void pausedRedisStillAnswersEveryRequestInTime() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); ServerProcess node0 = Node.start("pause0", settings(redis, 0));
                ServerProcess node1 = Node.start("pause1", settings(redis, 0))) {
            RedisClient admin = RedisClient.create(redis.uri());
            try (var adminConnection = admin.connect(); TestClient alice = node0.connect("alice");
                    TestClient bob = node1.connect("bob"); TestClient carol = node0.connect("carol");
                    TestClient dave = node1.connect("dave")) {
                String epoch = alice.join("calm").getString("epoch");
                bob.join("calm");
                dave.join("calm");
                assertEquals(1, alice.chatAmidPresence("calm", "before"));

                adminConnection.sync().clientPause(11_000);
                long paused = System.nanoTime();
                alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "calm").add("message", "während").add("id", "c"));
                carol.send(Json.createObjectBuilder().add("type", "join").add("clubId", "calm").add("id", "j"));
                dave.send(Json.createObjectBuilder().add("type", "leave").add("clubId", "calm").add("id", "l"));

                assertEquals("left", answerTo(dave, "l").getString("type"));
                JsonObject refused = answerTo(carol, "j");
                assertEquals("unavailable", refused.getString("code"), refused::toString);
                JsonObject aliceAnswer = answerTo(alice, "c");
                if (aliceAnswer == null) {
                    assertEquals(1011, alice.awaitClose().code());
                }
                Duration took = Duration.ofNanos(System.nanoTime() - paused);
                assertTrue(took.compareTo(ANSWER_WITHIN) < 0, "all three answered within " + took);

                // Redis runs what was queued once the pause ends: the chat is stored; carol's join is undone behind it.
                assertEquals("PONG", adminConnection.sync().ping(), "the pause is over");
                try (TestClient alice2 = node0.connect("alice")) {
                    alice2.send(Json.createObjectBuilder().add("type", "join").add("clubId", "calm").add("since", 1).add("epoch", epoch));
                    JsonObject joined = alice2.expect("joined");
                    if (aliceAnswer == null || aliceAnswer.getString("type").equals("ack")) {
                        assertEquals(2, joined.getJsonNumber("seq").longValue(), "the chat reached Redis after the pause");
                        assertEquals("während", alice2.expect("chat").getString("message"));
                    }
                    Await.until(Duration.ofSeconds(10), () -> members(node1, "calm").equals(List.of("alice", "bob")),
                            () -> "dave's leave reached Redis, and carol's undone join left no ghost: " + members(node1, "calm"));
                }
            } finally {
                admin.shutdown();
            }
        }
    }

    /**
     * Pub/sub connections killed ten times within 50 ms: a club joined right after still hears its
     * members come and go, down to the presence leave of a member whose node is then killed hard.
     */
    @Test
    void aClubJoinedWhilePubSubReconnectsStillHearsItsMembersComeAndGo() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); ServerProcess node0 = Node.start("resub0", settings(redis, 0))) {
            ServerProcess doomed = Node.start("resub-doomed", settings(redis, 0));
            RedisClient admin = RedisClient.create(redis.uri());
            try (var adminConnection = admin.connect(); TestClient stays = node0.connect("stays")) {
                stays.join("warm-up");
                for (int i = 0; i < 10; i++) {
                    adminConnection.sync().clientKill(KillArgs.Builder.typePubsub());
                }
                stays.join("after-the-kills");
                TestClient victim = doomed.connect("victim");
                victim.join("after-the-kills");
                assertEquals("join", stays.expect("presence").getString("event"), "the club's channel was subscribed");
                doomed.kill();
                JsonObject leave = stays.expect("presence");
                assertEquals(List.of("leave", "victim"), List.of(leave.getString("event"), leave.getString("name")));
            } finally {
                doomed.close();
                admin.shutdown();
            }
        }
    }

    /** The reply to the request with this id (frames before it are passed over), or null once the connection has closed. */
    private static JsonObject answerTo(TestClient client, String id) {
        JsonObject frame = client.nextOrClosed();
        while (frame != null && !id.equals(frame.getString("id", null))) {
            frame = client.nextOrClosed();
        }
        return frame;
    }

    private static List<String> members(ServerProcess node, String club) {
        return TestClient.members(Http.json(Http.get(node.http("/api/clubs/" + club), "Authorization", "Bearer " + API_KEY)));
    }

    /**
     * A failover can lose the primary's last writes (Redis replicates asynchronously): here Redis's seq
     * and stream are put back by two messages the members already have. Without the store nobody holds
     * them, and the next chat must not get seq 2 again: the club begins a new run, and its members are
     * closed with 1001 to re-join it.
     */
    @Test
    void aRunWhoseEndRedisLostBeginsAfreshRatherThanGiveItsSeqsAgain() throws Exception {
        try (RedisProcess redis = RedisProcess.start(); ServerProcess node0 = Node.start("lostend0", settings(redis, 0));
                ServerProcess node1 = Node.start("lostend1", settings(redis, 0))) {
            RedisClient admin = RedisClient.create(redis.uri());
            try (var adminConnection = admin.connect(); TestClient alice = node0.connect("alice");
                    TestClient bob = node1.connect("bob")) {
                String epoch = alice.join("lost-end").getString("epoch");
                bob.join("lost-end");
                alice.expect("presence");
                for (int i = 1; i <= 3; i++) {
                    assertEquals(i, alice.chat("lost-end", "글 " + i));
                    assertEquals(i, bob.expect("chat").getJsonNumber("seq").longValue());
                }
                RedisCommands<String, String> commands = adminConnection.sync();
                commands.set("clubchat:{lost-end}:seq", "1");
                commands.xdel("clubchat:{lost-end}:log", "2-0", "3-0");

                assertEquals(1001, alice.awaitClose().code());
                assertEquals(1001, bob.awaitClose().code());
                try (TestClient alice2 = node0.connect("alice"); TestClient bob2 = node1.connect("bob")) {
                    alice2.send(Json.createObjectBuilder().add("type", "join").add("clubId", "lost-end").add("since", 3).add("epoch", epoch));
                    JsonObject joined = alice2.expect("joined");
                    assertFalse(joined.getBoolean("recovered"), joined::toString);
                    String newEpoch = joined.getString("epoch");
                    assertFalse(newEpoch.equals(epoch), "a new run");
                    assertEquals(newEpoch, bob2.join("lost-end").getString("epoch"));
                    alice2.expect("presence");
                    assertEquals(1, alice2.chat("lost-end", "다시 café 🎉"));
                    assertEquals("다시 café 🎉", bob2.expect("chat").getString("message"));
                }
            } finally {
                admin.shutdown();
            }
        }
    }
}
