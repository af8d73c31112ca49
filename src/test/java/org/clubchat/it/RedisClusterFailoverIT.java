package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Await;
import org.clubchat.support.Http;
import org.clubchat.support.Node;
import org.clubchat.support.PostgresServer;
import org.clubchat.support.RedisClusterGroup;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Redis Cluster's topology changing under the nodes: a primary killed and its replica promoted, and a
 * club's slot moved to another shard. The nodes follow: each club's shard channel is subscribed again
 * where the club lives now, and nobody is closed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RedisClusterFailoverIT {
    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer();

    /**
     * Three primaries with a replica each; one killed while a member chats in a club on its shard and in a
     * club on another: the other shard's club goes on untouched, the killed shard's replica takes over,
     * and with the history store every chat is acknowledged within 10 s and reaches the member on the
     * other node.
     */
    @Test
    void aPrimaryKilledMidTrafficLosesNothingAckedAndClosesNobody() throws Exception {
        try (RedisClusterGroup redis = RedisClusterGroup.start(1)) {
            String doomed = clubOn(redis, -1, "doomed");
            int doomedPrimary = redis.primaryOf(placing(doomed));
            String spared = clubOn(redis, doomedPrimary, "spared");
            Map<String, String> settings = Map.of("CLUBCHAT_REDIS_URI", redis.uri(), "CLUBCHAT_DB_URL", postgres.url(),
                    "CLUBCHAT_DB_USER", postgres.user(), "CLUBCHAT_RATE_PER_SECOND", "1000", "CLUBCHAT_RATE_BURST", "1000");
            try (ServerProcess node0 = Node.start("rcf0", settings); ServerProcess node1 = Node.start("rcf1", settings);
                    TestClient alice = node0.connect("앨리스"); TestClient bob = node1.connect("bob")) {
                for (String club : List.of(doomed, spared)) {
                    alice.join(club);
                    bob.join(club);
                    alice.expect("presence");
                }
                Map<String, List<String>> sent = new HashMap<>(Map.of(doomed, new ArrayList<>(), spared, new ArrayList<>()));
                long slowest = 0;
                int round = 0;
                boolean killed = false;
                long failedOverAt = 0;
                while (failedOverAt == 0 || round < failedOverAt + 20) {
                    for (String club : List.of(doomed, spared)) {
                        String text = club + " 메시지 " + round + " — café 🎉";
                        long start = System.nanoTime();
                        alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", text)
                                .add("key", club + round));
                        JsonObject answer = alice.poll(Duration.ofSeconds(10));
                        assertNotNull(answer, "answered within 10 s: " + text);
                        slowest = Math.max(slowest, System.nanoTime() - start);
                        assertEquals("ack", answer.getString("type"), answer::toString);
                        assertEquals(sent.get(club).size() + 1, answer.getJsonNumber("seq").longValue());
                        sent.get(club).add(text);
                    }
                    round++;
                    if (round == 10) {
                        redis.kill(doomedPrimary);
                        killed = true;
                    } else if (killed && failedOverAt == 0 && redis.primaryOf(placing(doomed)) != doomedPrimary) {
                        failedOverAt = round;
                    }
                    alice.poll(Duration.ofMillis(50));
                }
                Map<String, List<String>> received = new HashMap<>(Map.of(doomed, new ArrayList<>(), spared, new ArrayList<>()));
                while (received.get(doomed).size() < sent.get(doomed).size() || received.get(spared).size() < sent.get(spared).size()) {
                    JsonObject frame = bob.nextOrClosed();
                    assertNotNull(frame, "bob stays connected");
                    assertEquals("chat", frame.getString("type"), () -> "no presence, no close: " + frame);
                    List<String> club = received.get(frame.getString("clubId"));
                    assertEquals(club.size() + 1, frame.getJsonNumber("seq").longValue(), () -> "in order, none missing: " + frame);
                    club.add(frame.getString("message"));
                }
                assertEquals(sent, received, "every acknowledged chat reached bob, Korean, accents and emoji intact");
                String channel = "clubchat:{" + doomed + "}:events";
                Await.until(Duration.ofSeconds(10), () -> redis.subscribers(channel) == 2,
                        () -> "both nodes subscribed to the club's channel on its new primary, not " + redis.subscribers(channel));
                System.out.printf("Redis Cluster failover: %d rounds, slowest answer %d ms, failover seen after round %d%n", round,
                        slowest / 1_000_000, failedOverAt);
                for (ServerProcess node : List.of(node0, node1)) {
                    Map<String, Double> metrics = Http.samples(Http.get(node.http("/metrics")).body());
                    assertTrue(metrics.get("clubchat_redis_failovers_total") >= 1, () -> node + " followed the topology change");
                    assertEquals(0.0, metrics.get("clubchat_redis_node_reasserted_total"), () -> node + " was never taken for dead");
                }
                try (TestClient carol = node1.connect("carol")) {
                    assertEquals(List.of("bob", "carol", "앨리스"), TestClient.members(carol.join(doomed)), "presence is right afterwards");
                }
            }
        }
    }

    /**
     * A club's slot moved to another shard while its members chat (resharding): its keys go along, Redis
     * drops the nodes' subscriptions to its shard channel, and they subscribe again on the new shard.
     */
    @Test
    void aClubWhoseSlotMovesGoesOnOnItsNewShard() throws Exception {
        try (RedisClusterGroup redis = RedisClusterGroup.start(0)) {
            Map<String, String> settings = Map.of("CLUBCHAT_REDIS_URI", redis.uri());
            try (ServerProcess node0 = Node.start("rcm0", settings); ServerProcess node1 = Node.start("rcm1", settings);
                    TestClient alice = node0.connect("alice"); TestClient bob = node1.connect("bob")) {
                String epoch = alice.join("mover").getString("epoch");
                bob.join("mover");
                alice.expect("presence");
                assertEquals(1, alice.chat("mover", "before — café 🎉"));
                assertEquals("before — café 🎉", bob.expect("chat").getString("message"));
                int before = redis.primaryOf(placing("mover"));
                int after = redis.moveSlotOf(placing("mover"));
                assertNotEquals(before, after);
                String channel = "clubchat:{mover}:events";
                Await.until(Duration.ofSeconds(15), () -> redis.subscribers(channel) == 2,
                        () -> "both nodes subscribed on the club's new shard, not " + redis.subscribers(channel));
                assertEquals(2, alice.chat("mover", "after 한국어"), "the run went along with the slot");
                JsonObject chat = bob.expect("chat");
                assertEquals(List.of("after 한국어", 2L), List.of(chat.getString("message"), chat.getJsonNumber("seq").longValue()));
                try (TestClient carol = node1.connect("carol")) {
                    JsonObject joined = carol.join("mover");
                    assertEquals(List.of("alice", "bob", "carol"), TestClient.members(joined));
                    assertEquals(epoch, joined.getString("epoch"));
                }
            }
        }
    }

    /** A club whose keys live on another primary than {@code avoided} (-1: any), named after {@code prefix}. */
    private static String clubOn(RedisClusterGroup redis, int avoided, String prefix) {
        for (int i = 0; ; i++) {
            String club = prefix + i;
            int primary = redis.primaryOf(placing(club));
            if (avoided < 0 || primary != avoided) {
                assertNotEquals(avoided, primary);
                return club;
            }
        }
    }

    /** The key by which Redis places a club. */
    private static String placing(String club) {
        return "clubchat:{" + club + "}:epoch";
    }
}
