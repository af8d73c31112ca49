package org.clubchat.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clubchat.club.PresenceLimit;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.support.Await;
import org.clubchat.support.RedisProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A dead node with 10,000 members in one club: a live node removes them all (a presence {@code leave}
 * each), in steps of {@link DeadNodes#AT_ONCE} connections, so that no one script holds Redis for the
 * whole club; the dead node's members of another club go too, and the node is forgotten.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DeadNodesIT {
    private static final int MEMBERS = 10_000;

    @Test
    void aDeadNodesTenThousandMembersOfOneClubAreRemovedInShortSteps() throws Exception {
        Metrics metrics = new Metrics(new SimpleMeterRegistry());
        try (RedisProcess redis = RedisProcess.start()) {
            RedisClient client = RedisClient.create(redis.uri());
            try (var connection = client.connect(); var events = client.connectPubSub()) {
                var sync = connection.sync();
                ClubScripts dead = new ClubScripts(connection.async(), false, metrics, "dead", 100, 60_000, InstantSource.system());
                ClubScripts.await(dead.load());
                ClubKeys huge = ClubKeys.of("huge");
                ClubKeys small = ClubKeys.of("small");
                List<CompletableFuture<?>> joins = new ArrayList<>(List.of(dead.indexClub("huge", true), dead.indexClub("small", true)));
                for (int i = 0; i < MEMBERS; i++) {
                    joins.add(dead.join(huge, "회원 " + i + " 🎉", dead.field("c" + i), true, false));
                }
                joins.add(dead.join(small, "Émile", dead.field("e"), true, false));
                CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get(1, TimeUnit.MINUTES);
                sync.sadd(ClubKeys.nodes(), "dead");
                assertEquals(MEMBERS, sync.hlen(huge.names()));

                AtomicInteger leaves = new AtomicInteger();
                events.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        if (message.contains("\"leave\"")) {
                            leaves.incrementAndGet();
                        }
                    }
                });
                events.sync().subscribe(huge.channel());
                sync.configResetstat();
                try (RedisClubStore live = new RedisClubStore(redis.uri(), 100, Duration.ofMinutes(5), new ProtocolCodec(65536),
                        InstantSource.system(), metrics, null, 1000, PresenceLimit.NONE)) {
                    Await.until(Duration.ofSeconds(60), () -> !sync.sismember(ClubKeys.nodes(), "dead"),
                            () -> "the dead node is still in the set of nodes; the club holds " + sync.hlen(huge.conns()));
                }
                assertEquals(0, sync.hlen(huge.conns()));
                assertEquals(0, sync.hlen(huge.names()));
                assertEquals(0, sync.hlen(huge.nodeConns("dead")));
                assertEquals(0, sync.hlen(small.conns()));
                assertFalse(sync.exists(ClubKeys.nodeClubs("dead")) == 1);
                Await.until(Duration.ofSeconds(10), () -> leaves.get() == MEMBERS, () -> leaves.get() + " leaves published");
                long steps = evalshaCalls(sync.info("commandstats"));
                assertTrue(steps >= MEMBERS / DeadNodes.AT_ONCE + 1, steps + " scripts removed " + MEMBERS + " members");
            } finally {
                client.shutdown();
            }
        }
    }

    private static long evalshaCalls(String commandstats) {
        Matcher calls = Pattern.compile("cmdstat_evalsha:calls=(\\d+)").matcher(commandstats);
        assertTrue(calls.find(), commandstats);
        return Long.parseLong(calls.group(1));
    }
}
