package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.clubchat.support.Await;
import org.clubchat.support.Http;
import org.clubchat.support.Node;
import org.clubchat.support.PostgresServer;
import org.clubchat.support.SentinelGroup;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redis behind Sentinel (a primary, a replica, three sentinels), its primary killed while members on two
 * nodes chat: every request is answered within the protocol's 10 s, nobody is closed or taken for gone,
 * and the nodes notice the failover, say so in their log and count it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SentinelFailoverIT {
    private static final Duration ANSWERED_WITHIN = Duration.ofSeconds(10);
    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer();

    private static Map<String, String> settings(SentinelGroup redis, boolean store) {
        Map<String, String> settings = new HashMap<>(Map.of("CLUBCHAT_REDIS_URI", redis.uri(),
                "CLUBCHAT_RATE_PER_SECOND", "1000", "CLUBCHAT_RATE_BURST", "1000"));
        if (store) {
            settings.putAll(Map.of("CLUBCHAT_DB_URL", postgres.url(), "CLUBCHAT_DB_USER", postgres.user()));
        }
        return settings;
    }

    /**
     * Sentinel's own timing: the primary is taken for down after 30 s, far past the heartbeat's 5 s, so
     * every node's heartbeat key has expired on the new primary; still no node takes another for dead.
     * With the history store every chat is acknowledged throughout, and each member ends up with every
     * message, in one gapless order.
     */
    @Test
    void aFailoverOnSentinelsDefaultTimingLosesNothingAckedAndClosesNobody() throws Exception {
        try (SentinelGroup redis = SentinelGroup.start(SentinelGroup.SENTINEL_DEFAULT);
                ServerProcess node0 = Node.start("sf-default0", settings(redis, true));
                ServerProcess node1 = Node.start("sf-default1", settings(redis, true));
                TestClient alice = node0.connect("앨리스"); TestClient bob = node1.connect("bob")) {
            alice.join("failover");
            bob.join("failover");
            alice.expect("presence");
            Talker aliceTalks = new Talker(alice, "a");
            Talker bobTalks = new Talker(bob, "b");
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<?> aliceDone = threads.submit(aliceTalks);
                Future<?> bobDone = threads.submit(bobTalks);
                aliceTalks.awaitAcks(10);
                redis.killPrimary();
                redis.awaitFailover(SentinelGroup.SENTINEL_DEFAULT.multipliedBy(3));
                int aliceAtFailover = aliceTalks.acks.size();
                int bobAtFailover = bobTalks.acks.size();
                aliceTalks.awaitAcks(aliceAtFailover + 20);
                bobTalks.awaitAcks(bobAtFailover + 20);
                aliceTalks.stop.set(true);
                bobTalks.stop.set(true);
                aliceDone.get();
                bobDone.get();
            } finally {
                threads.shutdownNow();
            }
            assertTrue(aliceTalks.slowest <= ANSWERED_WITHIN.toNanos() && bobTalks.slowest <= ANSWERED_WITHIN.toNanos(),
                    "every chat answered within 10 s; slowest " + aliceTalks.slowest / 1_000_000 + " and " + bobTalks.slowest / 1_000_000 + " ms");
            System.out.printf("failover on Sentinel's default timing: %d + %d chats acknowledged, slowest answers %d and %d ms%n",
                    aliceTalks.acks.size(), bobTalks.acks.size(), aliceTalks.slowest / 1_000_000, bobTalks.slowest / 1_000_000);
            long top = Math.max(aliceTalks.top(), bobTalks.top());
            aliceTalks.readUpTo(top);
            bobTalks.readUpTo(top);
            assertEquals(aliceTalks.seen(top), bobTalks.seen(top), "one order, every acked message with both members");
            for (ServerProcess node : List.of(node0, node1)) {
                assertTrue(node.log().contains("Redis failed over"), () -> node + " says so in its log");
                Map<String, Double> metrics = Http.samples(Http.get(node.http("/metrics")).body());
                assertEquals(1.0, metrics.get("clubchat_redis_failovers_total"), () -> node + " counts the failover");
                assertEquals(0.0, metrics.get("clubchat_redis_node_reasserted_total"), () -> node + " was never taken for dead");
            }
            try (TestClient carol = node1.connect("carol")) {
                assertEquals(List.of("bob", "carol", "앨리스"), TestClient.members(joinAsClientsDo(carol, "failover")),
                        "presence is right afterwards");
            }
        }
    }

    /**
     * Joins as the protocol tells a client to: a join answered {@code unavailable} (the node's connections
     * to the new primary still being made) is sent again, for up to 10 s.
     */
    private static JsonObject joinAsClientsDo(TestClient client, String club) {
        long deadline = System.nanoTime() + ANSWERED_WITHIN.toNanos();
        while (true) {
            client.send(Json.createObjectBuilder().add("type", "join").add("clubId", club));
            JsonObject reply = client.next();
            if (!"error".equals(reply.getString("type")) || System.nanoTime() > deadline) {
                assertEquals("joined", reply.getString("type"), reply::toString);
                return reply;
            }
            assertEquals("unavailable", reply.getString("code"), reply::toString);
        }
    }

    /**
     * Without the store the club lives in Redis alone: with Sentinel taking the primary for down after 1 s,
     * the replica that had every write goes on with the club's run, and nobody is closed.
     */
    @Test
    void aQuickFailoverWithoutTheStoreKeepsTheRunAndClosesNobody() throws Exception {
        try (SentinelGroup redis = SentinelGroup.start(Duration.ofSeconds(1));
                ServerProcess node0 = Node.start("sf-quick0", settings(redis, false));
                ServerProcess node1 = Node.start("sf-quick1", settings(redis, false));
                TestClient alice = node0.connect("alice"); TestClient bob = node1.connect("bob")) {
            String epoch = alice.join("quick").getString("epoch");
            bob.join("quick");
            alice.expect("presence");
            assertEquals(1, alice.chat("quick", "before — café 🎉"));
            assertEquals("before — café 🎉", bob.expect("chat").getString("message"));
            Await.until(Duration.ofSeconds(5), () -> replicated(redis), () -> "the replica has the first message");
            redis.killPrimary();
            redis.awaitFailover(Duration.ofSeconds(30));
            Await.until(Duration.ofSeconds(10), () -> Http.samples(Http.get(node0.http("/metrics")).body())
                    .getOrDefault("clubchat_redis_failovers_total", 0.0) >= 1, () -> "node 0 noticed the failover");
            long seq = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (seq == 0 && System.nanoTime() < deadline) {
                alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "quick").add("message", "after 한국어")
                        .add("key", "after"));
                JsonObject answer = alice.nextOrClosedSkipping("presence");
                assertNotNull(answer, "alice stays connected");
                seq = answer.getString("type").equals("ack") ? answer.getJsonNumber("seq").longValue() : 0;
            }
            assertEquals(2, seq, "the run goes on on the new primary");
            JsonObject chat = bob.nextOrClosedSkipping("presence");
            assertNotNull(chat, "bob stays connected");
            assertEquals(List.of("after 한국어", 2L), List.of(chat.getString("message"), chat.getJsonNumber("seq").longValue()));
            try (TestClient carol = node1.connect("carol")) {
                JsonObject joined = carol.join("quick");
                assertEquals(List.of("alice", "bob", "carol"), TestClient.members(joined));
                assertEquals(epoch, joined.getString("epoch"));
            }
        }
    }

    private static boolean replicated(SentinelGroup redis) {
        try (RedisClient client = RedisClient.create(redis.dataNodeUri(redis.replicaPort())); var connection = client.connect()) {
            return "1".equals(connection.sync().get("clubchat:{quick}:seq"));
        }
    }

    /**
     * One member chatting, one keyed chat at a time, until told to stop: every answer timed, a chat
     * refused sent again with its key; its acks and the others' chats kept by seq.
     */
    private static final class Talker implements Runnable {
        final TestClient member;
        final String own;
        final AtomicBoolean stop = new AtomicBoolean();
        final Map<Long, String> acks = new ConcurrentHashMap<>();
        final Map<Long, String> chats = new ConcurrentHashMap<>();
        volatile long slowest;
        /** What ended the talking early, if anything did. */
        volatile Throwable failure;

        Talker(TestClient member, String own) {
            this.member = member;
            this.own = own;
        }

        static String text(String own, int n) {
            return own + " 메시지 " + n + " — café 🎉";
        }

        @Override
        public void run() {
            try {
                talk();
            } catch (RuntimeException | AssertionError e) {
                failure = e;
                throw e;
            }
        }

        private void talk() {
            int n = 0;
            while (!stop.get()) {
                String text = text(own, n);
                long sent = System.nanoTime();
                member.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "failover").add("message", text)
                        .add("key", own + n).add("id", own + n));
                JsonObject answer;
                do {
                    answer = member.poll(ANSWERED_WITHIN.plusSeconds(5));
                    assertNotNull(answer, own + n + " answered");
                    keep(answer);
                } while (!answer.getString("id", "").equals(own + n));
                slowest = Math.max(slowest, System.nanoTime() - sent);
                if (answer.getString("type").equals("ack")) {
                    n++;
                } else {
                    assertEquals("unavailable", answer.getString("code"), answer::toString);
                }
                readFor(Duration.ofMillis(50));
            }
        }

        /** Reads what comes for a while: about twenty chats a second from each member. */
        private void readFor(Duration pause) {
            long until = System.nanoTime() + pause.toNanos();
            for (JsonObject frame = member.poll(pause); frame != null; frame = member.poll(Duration.ofNanos(until - System.nanoTime()))) {
                keep(frame);
            }
        }

        private void keep(JsonObject frame) {
            switch (frame.getString("type")) {
                case "ack" -> acks.put(frame.getJsonNumber("seq").longValue(), text(own, Integer.parseInt(frame.getString("id").substring(own.length()))));
                case "chat" -> chats.put(frame.getJsonNumber("seq").longValue(), frame.getString("message"));
                case "error" -> { }
                default -> throw new AssertionError("no " + frame + " during a failover");
            }
        }

        void awaitAcks(int count) {
            Await.until(Duration.ofSeconds(60), () -> {
                if (failure != null) {
                    throw new AssertionError(own + " stopped talking", failure);
                }
                return acks.size() >= count;
            }, () -> own + " has " + count + " acks");
        }

        long top() {
            return acks.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        }

        /** After the talking: reads the others' chats until it holds every seq up to {@code top}. */
        void readUpTo(long top) {
            while (acks.size() + chats.size() < top) {
                JsonObject frame = member.nextOrClosed();
                assertNotNull(frame, own + " stays connected");
                keep(frame);
            }
        }

        Map<Long, String> seen(long top) {
            Map<Long, String> seen = new HashMap<>(chats);
            seen.putAll(acks);
            List<Long> seqs = new ArrayList<>(seen.keySet());
            seqs.sort(null);
            assertEquals(top, seqs.size(), () -> own + " holds every seq once");
            assertEquals(top, seqs.get(seqs.size() - 1), () -> own + " holds seqs 1 to " + top);
            return seen;
        }
    }
}
