package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clubchat.redis.RedisClubStore;
import org.clubchat.support.Await;
import org.clubchat.support.Http;
import org.clubchat.support.Node;
import org.clubchat.support.RedisTopology;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes in JVMs of their own sharing clubs through real Redis, checked on each topology club-chat
 * supports: each subclass starts one ({@link #startRedis}) and the nodes get its URI.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CrossNodeChecks {
    private static final int HISTORY = 50;
    private static final String API_KEY = "cluster-key";
    private static final AtomicInteger CLUBS = new AtomicInteger();
    private final List<ServerProcess> nodes = new ArrayList<>();
    private RedisTopology redis;
    private String redisUri;

    /** Starts the topology under test, closed after the class's tests. */
    abstract RedisTopology startRedis() throws Exception;

    @BeforeAll
    void start() throws Exception {
        redis = startRedis();
        redisUri = redis.uri();
        for (int i = 0; i < 3; i++) {
            nodes.add(Node.start(getClass().getSimpleName() + i, settings()));
        }
    }

    private Map<String, String> settings() {
        return Map.of("CLUBCHAT_REDIS_URI", redisUri, "CLUBCHAT_HISTORY_SIZE", String.valueOf(HISTORY),
                "CLUBCHAT_RATE_PER_SECOND", "1000", "CLUBCHAT_RATE_BURST", "1000", "CLUBCHAT_API_KEY", API_KEY);
    }

    @AfterAll
    void stop() throws Exception {
        nodes.forEach(ServerProcess::close);
        if (redis != null) {
            redis.close();
        }
    }

    private static String freshClub() {
        return "k" + CLUBS.incrementAndGet();
    }

    @Test
    void membersOnDifferentNodesSeeEachOtherAndChatBothWays() {
        String club = freshClub();
        try (TestClient alice = nodes.get(0).connect("alice"); TestClient bob = nodes.get(1).connect("bob")) {
            alice.join(club);
            assertEquals(List.of("alice", "bob"), TestClient.members(bob.join(club)));
            assertEquals("bob", alice.expect("presence").getString("name"));
            assertEquals(1, alice.chat(club, "from node 0"));
            JsonObject chat = bob.expect("chat");
            assertEquals("from node 0", chat.getString("message"));
            assertEquals("alice", chat.getString("from"));
            assertEquals(2, bob.chat(club, "from node 1"));
            assertEquals(2, alice.expect("chat").getJsonNumber("seq").longValue());
            JsonObject view = Http.json(Http.get(nodes.get(2).http("/health")));
            assertEquals("up", view.getString("redis"));
            Map<String, Double> metrics = Http.samples(Http.get(nodes.get(0).http("/metrics")).body());
            assertTrue(metrics.getOrDefault("clubchat_redis_command_seconds_count", 0.0) >= 2,
                    () -> "the join and the chat timed: " + metrics.get("clubchat_redis_command_seconds_count"));
        }
    }

    @Test
    void publishApiOnOneNodeReachesMembersOnAnotherWithTheNextSeq() {
        String club = freshClub();
        try (TestClient alice = nodes.get(0).connect("alice")) {
            alice.join(club);
            assertEquals(1, alice.chat(club, "first"));
            var created = Http.post(nodes.get(2).http("/api/clubs/" + club + "/messages"), "{\"message\":\"from a backend\"}",
                    "Authorization", "Bearer " + API_KEY);
            assertEquals(201, created.statusCode(), created::body);
            assertEquals(2, Http.json(created).getJsonNumber("seq").longValue());
            JsonObject chat = alice.expect("chat");
            assertEquals("from a backend", chat.getString("message"));
            assertEquals(2, chat.getJsonNumber("seq").longValue());
            JsonObject view = Http.json(Http.get(nodes.get(1).http("/api/clubs/" + club), "Authorization", "Bearer " + API_KEY));
            assertEquals(List.of("alice"), TestClient.members(view), "members of every node, seen from any node");
            assertEquals(2, view.getJsonNumber("seq").longValue());
        }
    }

    @Test
    void publishResentWithItsKeyToAnotherNodeIsStoredOnce() {
        String club = freshClub();
        String body = "{\"message\":\"한 번만 ✓\",\"key\":\"order-7\"}";
        try (TestClient alice = nodes.get(0).connect("alice")) {
            alice.join(club);
            var created = Http.post(nodes.get(1).http("/api/clubs/" + club + "/messages"), body, "Authorization", "Bearer " + API_KEY);
            assertEquals(201, created.statusCode(), created::body);
            var resent = Http.post(nodes.get(2).http("/api/clubs/" + club + "/messages"), body, "Authorization", "Bearer " + API_KEY);
            assertEquals(200, resent.statusCode(), resent::body);
            assertTrue(Http.json(resent).getBoolean("duplicate"));
            assertEquals(1, Http.json(resent).getJsonNumber("seq").longValue());
            assertEquals("한 번만 ✓", alice.expect("chat").getString("message"));
            assertEquals(2, alice.chat(club, "after"), "the resend took no seq and reached nobody");
        }
    }

    /** One channel per club, subscribed by the nodes that have members in it and by no other. */
    @Test
    void onlyNodesWithMembersInAClubReceiveItsTraffic() {
        String club = freshClub();
        String channel = "clubchat:{" + club + "}:events";
        try (TestClient alice = nodes.get(0).connect("alice"); TestClient bob = nodes.get(1).connect("bob")) {
            assertEquals(0L, redis.subscribers(channel));
            alice.join(club);
            bob.join(club);
            assertEquals(2L, redis.subscribers(channel), "nodes 0 and 1, not node 2");
            bob.send(Json.createObjectBuilder().add("type", "leave").add("clubId", club));
            bob.expect("left");
            Await.until(Duration.ofSeconds(5), () -> redis.subscribers(channel) == 1L, () -> "node 1 unsubscribed when its last member left");
        }
    }

    /** A join and a leave keep no club alive in Redis either; a club with a message keeps its retention. */
    @Test
    void clubLeftWithoutAMessageLeavesNoKeysInRedis() {
        String quiet = freshClub();
        String spoken = freshClub();
        try (TestClient alice = nodes.get(0).connect("alice")) {
            alice.join(quiet);
            alice.join(spoken);
            alice.chat(spoken, "안녕");
            assertEquals(List.of("clubchat:{" + quiet + "}:epoch"), redis.keys("clubchat:{" + quiet + "}:epoch"));
            for (String club : List.of(quiet, spoken)) {
                alice.send(Json.createObjectBuilder().add("type", "leave").add("clubId", club));
                alice.expect("left");
            }
            assertEquals(List.of(), redis.keys("clubchat:{" + quiet + "}:*"), "nothing of the quiet club is kept");
            assertEquals(List.of("clubchat:{" + spoken + "}:epoch"), redis.keys("clubchat:{" + spoken + "}:epoch"),
                    "the spoken one keeps its retention");
        }
    }

    /**
     * The nodes' pub/sub connections cut in the middle of a burst (a network blip): they subscribe again,
     * and what they missed is read from the club's stream, so the member on the other node gets every
     * message in order and hears of a member who came meanwhile.
     */
    @Test
    void aSubscriptionCutDuringABurstMissesNothing() {
        String club = freshClub();
        try (TestClient alice = nodes.get(0).connect("alice"); TestClient bob = nodes.get(1).connect("bob")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            for (int i = 1; i <= 30; i++) {
                alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", "메시지 " + i));
                if (i == 10) {
                    redis.killPubSub();
                }
            }
            try (TestClient carol = nodes.get(2).connect("carol")) {
                carol.join(club);
                long seq = 0;
                boolean carolCame = false;
                while (seq < 30 || !carolCame) {
                    JsonObject frame = bob.next();
                    if (frame.getString("type").equals("presence")) {
                        carolCame |= frame.getString("name").equals("carol") && frame.getString("event").equals("join");
                        continue;
                    }
                    seq++;
                    assertEquals(seq, frame.getJsonNumber("seq").longValue(), () -> "in order, none missing: " + frame);
                    assertEquals("메시지 " + seq, frame.getString("message"));
                }
            }
        }
    }

    @Test
    void sendersOnEveryNodeAtOnceAndEveryMemberSeesOneGaplessOrder() throws Exception {
        String club = freshClub();
        int perSender = 40;
        List<TestClient> members = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestClient member = nodes.get(i % 3).connect("m" + i);
            member.join(club);
            members.add(member);
        }
        for (int i = 0; i < members.size(); i++) {
            for (int later = i + 1; later < members.size(); later++) {
                assertEquals("presence", members.get(i).next().getString("type"));
            }
        }
        ExecutorService senders = Executors.newFixedThreadPool(members.size());
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (TestClient member : members) {
                sent.add(senders.submit(() -> {
                    for (int n = 0; n < perSender; n++) {
                        member.send(Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", "x" + n));
                    }
                }));
            }
            for (Future<?> done : sent) {
                done.get();
            }
        } finally {
            senders.shutdown();
        }
        long total = (long) perSender * members.size();
        List<List<String>> orders = new ArrayList<>();
        for (TestClient member : members) {
            List<String> order = new ArrayList<>();
            long lastSeq = 0;
            int acks = 0;
            while (order.size() < total) {
                JsonObject frame = member.next();
                long seq = frame.getJsonNumber("seq").longValue();
                assertEquals(lastSeq + 1, seq, "gapless, in order: " + frame);
                lastSeq = seq;
                if (frame.getString("type").equals("ack")) {
                    acks++;
                    order.add(seq + ":self");
                } else {
                    order.add(seq + ":" + frame.getString("from"));
                }
            }
            assertEquals(perSender, acks);
            orders.add(order);
        }
        for (int i = 0; i < members.size(); i++) {
            String me = "m" + i;
            List<String> normalised = orders.get(i).stream().map(entry -> entry.replace(":self", ":" + me)).toList();
            assertEquals(orders.get(0).stream().map(entry -> entry.replace(":self", ":m0")).toList(), normalised,
                    "member " + me + " saw the same order as m0");
        }
        members.forEach(TestClient::close);
    }

    @Test
    void clientThatMovesToAnotherNodeGetsExactlyWhatItMissed() {
        String club = freshClub();
        String epoch;
        try (TestClient writer = nodes.get(0).connect("writer")) {
            writer.join(club);
            try (TestClient mover = nodes.get(1).connect("mover")) {
                epoch = mover.join(club).getString("epoch");
                writer.expect("presence");
                writer.chat(club, "one");
                assertEquals(1, mover.expect("chat").getJsonNumber("seq").longValue());
            }
            writer.expect("presence");
            writer.chat(club, "two");
            writer.chat(club, "three");
            try (TestClient mover = nodes.get(2).connect("mover")) {
                mover.send(Json.createObjectBuilder().add("type", "join").add("clubId", club).add("since", 1).add("epoch", epoch));
                JsonObject joined = mover.expect("joined");
                assertTrue(joined.getBoolean("recovered"));
                assertEquals(epoch, joined.getString("epoch"), "the epoch lives in Redis, not in a node");
                assertEquals("two", mover.expect("chat").getString("message"));
                assertEquals("three", mover.expect("chat").getString("message"));
                writer.expect("presence");
                writer.chat(club, "four");
                assertEquals(4, mover.expect("chat").getJsonNumber("seq").longValue());
                mover.assertNoFrame(Duration.ofMillis(300));
            }
        }
    }

    /** Without the store, {@code history} reads the club's stream (50 here), on any node, for messages sent on another. */
    @Test
    void historyOnAnotherNodeReadsBackWhatTheStreamHolds() {
        String club = freshClub();
        try (TestClient writer = nodes.get(0).connect("작가"); TestClient reader = nodes.get(1).connect("reader")) {
            writer.join(club);
            for (int i = 1; i <= 60; i++) {
                assertEquals(i, writer.chat(club, "글 " + i + " 🎉"));
            }
            reader.join(club);
            reader.send(Json.createObjectBuilder().add("type", "history").add("clubId", club).add("limit", 20));
            JsonObject newest = reader.expect("history");
            List<JsonObject> messages = newest.getJsonArray("messages").getValuesAs(JsonObject.class);
            assertEquals(41, messages.get(0).getJsonNumber("seq").longValue());
            assertEquals("글 60 🎉", messages.get(19).getString("message"));
            assertEquals("작가", messages.get(19).getString("from"));
            assertTrue(newest.getBoolean("more"));
            reader.send(Json.createObjectBuilder().add("type", "history").add("clubId", club).add("before", 41).add("limit", 100));
            JsonObject older = reader.expect("history");
            List<JsonObject> rest = older.getJsonArray("messages").getValuesAs(JsonObject.class);
            assertEquals(List.of(11L, 40L), List.of(rest.get(0).getJsonNumber("seq").longValue(),
                    rest.get(rest.size() - 1).getJsonNumber("seq").longValue()), "the stream holds the newest 50");
            assertFalse(older.getBoolean("more"));
            JsonObject page = Http.json(Http.get(nodes.get(2).http("/api/clubs/" + club + "/messages?before=60&limit=2"),
                    "Authorization", "Bearer " + API_KEY));
            assertEquals(List.of("글 58 🎉", "글 59 🎉"), page.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                    .map(m -> m.getString("message")).toList(), "an operator on a third node pages the stream back");
            assertTrue(page.getBoolean("more"));
        }
    }

    @Test
    void membersOfANodeKilledHardVanishFromTheOthersLists() throws Exception {
        String club = freshClub();
        ServerProcess doomed = Node.start("doomed", settings());
        try (TestClient stays = nodes.get(0).connect("stays")) {
            stays.join(club);
            TestClient victim = doomed.connect("victim");
            victim.join(club);
            assertEquals("join", stays.expect("presence").getString("event"));
            long killed = System.nanoTime();
            doomed.kill();
            JsonObject leave = stays.expect("presence");
            Duration took = Duration.ofNanos(System.nanoTime() - killed);
            assertEquals("leave", leave.getString("event"));
            assertEquals("victim", leave.getString("name"));
            assertTrue(took.compareTo(RedisClubStore.NODE_TTL.plus(RedisClubStore.HEARTBEAT.multipliedBy(2))) < 0, "gone after " + took);
            try (TestClient late = nodes.get(2).connect("late")) {
                assertEquals(List.of("late", "stays"), TestClient.members(late.join(club)));
            }
        } finally {
            doomed.close();
        }
    }

    /**
     * A node paused past its heartbeat's time-to-live is taken for dead and its members removed; once it
     * runs again it notices and puts them back, so nobody vanishes for good while connected.
     */
    @Test
    void aNodeTakenForDeadWhileItLivesPutsItsMembersBack() throws Exception {
        String club = freshClub();
        ServerProcess sleeper = Node.start("sleeper", settings());
        try (TestClient stays = nodes.get(0).connect("stays"); TestClient napper = sleeper.connect("낮잠 napper")) {
            stays.join(club);
            napper.join(club);
            assertEquals("join", stays.expect("presence").getString("event"));
            sleeper.pause();
            try {
                JsonObject leave = stays.expect("presence");
                assertEquals(List.of("leave", "낮잠 napper"), List.of(leave.getString("event"), leave.getString("name")));
            } finally {
                sleeper.resume();
            }
            JsonObject back = stays.expect("presence");
            assertEquals(List.of("join", "낮잠 napper"), List.of(back.getString("event"), back.getString("name")));
            try (TestClient late = nodes.get(2).connect("late")) {
                assertEquals(List.of("late", "stays", "낮잠 napper"), TestClient.members(late.join(club)));
            }
            napper.chatAmidPresence(club, "still here 👋");
            assertEquals("still here 👋", stays.expectSkipping("chat", "presence").getString("message"));
        } finally {
            sleeper.close();
        }
    }

    @Test
    void resendOnAnotherNodeIsAcknowledgedAsTheDuplicateItIs() {
        String club = freshClub();
        try (TestClient bob = nodes.get(2).connect("bob")) {
            bob.join(club);
            long seq;
            try (TestClient alice = nodes.get(0).connect("alice")) {
                alice.join(club);
                alice.send(ExactlyOnceIT.keyed(club, "한 번만", "k-1", "first"));
                seq = alice.expect("ack").getJsonNumber("seq").longValue();
            }
            try (TestClient alice = nodes.get(1).connect("alice")) {
                JsonObject joined = alice.join(club);
                assertEquals(seq, joined.getJsonNumber("seq").longValue());
                assertEquals(1, joined.getJsonNumber("firstSeq").longValue());
                alice.send(ExactlyOnceIT.keyed(club, "한 번만", "k-1", "resend"));
                JsonObject ack = alice.expect("ack");
                assertEquals(seq, ack.getJsonNumber("seq").longValue());
                assertTrue(ack.getBoolean("duplicate"));
                alice.send(ExactlyOnceIT.keyed(club, "두 번째", "k-2", "next"));
                assertEquals(seq + 1, alice.expect("ack").getJsonNumber("seq").longValue());
            }
            assertEquals(List.of("한 번만", "두 번째"), bob.frames("chat", 2).stream().map(chat -> chat.getString("message")).toList());
        }
    }

    @Test
    void oneSenderOnTwoNodesRacingTheSameKeysStoresEachOnce() {
        String club = freshClub();
        try (TestClient bob = nodes.get(2).connect("bob"); TestClient laptop = nodes.get(0).connect("alice");
                TestClient phone = nodes.get(1).connect("alice")) {
            bob.join(club);
            laptop.join(club);
            phone.join(club);
            assertEquals(20, ExactlyOnceIT.raceKeys(laptop, phone, club, 20), "each key stored by exactly one node");
            List<Long> seqs = bob.frames("chat", 20).stream().map(chat -> chat.getJsonNumber("seq").longValue()).toList();
            assertEquals(20L, seqs.get(19), "twenty seqs, no more");
            bob.assertNoFrame(Duration.ofMillis(300));
        }
    }

    @Test
    void operationsApiSeesEveryNodeAndDisconnectsEverywhere() {
        String club = freshClub();
        String[] authorized = {"Authorization", "Bearer " + API_KEY};
        try (TestClient bob = nodes.get(0).connect("bob-everywhere"); TestClient bobToo = nodes.get(1).connect("bob-everywhere");
                TestClient carol = nodes.get(2).connect("carol")) {
            bob.join(club);
            carol.join(club);
            carol.chatAmidPresence(club, "안녕");
            var listed = Http.json(Http.get(nodes.get(1).http("/api/clubs"), authorized)).getJsonArray("clubs")
                    .getValuesAs(JsonObject.class).stream().filter(c -> c.getString("clubId").equals(club)).findFirst().orElseThrow();
            assertEquals(2, listed.getInt("members"), "members of every node, counted from a node with none");
            var history = Http.json(Http.get(nodes.get(1).http("/api/clubs/" + club + "/messages?since=0"), authorized));
            assertEquals("안녕", history.getJsonArray("messages").getJsonObject(0).getString("message"));

            assertEquals(202, Http.post(nodes.get(2).http("/api/disconnect"), "{\"name\":\"bob-everywhere\"}", authorized).statusCode());
            assertEquals(1008, bob.awaitClose().code());
            assertEquals(1008, bobToo.awaitClose().code());
            assertEquals("leave", carol.expect("presence").getString("event"));
        }
    }
}
