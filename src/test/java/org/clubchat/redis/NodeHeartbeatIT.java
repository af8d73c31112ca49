package org.clubchat.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.clubchat.club.PresenceLimit;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.support.RedisProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node whose club work is stuck (a long burst, a slow Redis answer) for longer than its heartbeat's
 * time-to-live is still alive: its peers must not delete its members.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class NodeHeartbeatIT {

    @Test
    void heartbeatGoesOnWhileTheEventsThreadIsStuck() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                RedisClubStore store = new RedisClubStore(redis.uri(), 100, Duration.ofMinutes(5), new ProtocolCodec(65536),
                        InstantSource.system(), new Metrics(new SimpleMeterRegistry()), null, 1000, PresenceLimit.NONE)) {
            RedisClient observer = RedisClient.create(redis.uri());
            CountDownLatch release = new CountDownLatch(1);
            try (var connection = observer.connect(); var expiries = observer.connectPubSub()) {
                String alive = ClubKeys.nodeAlive(store.node());
                connection.sync().configSet("notify-keyspace-events", "Ex");
                CompletableFuture<String> expired = new CompletableFuture<>();
                expiries.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String key) {
                        if (key.equals(alive)) {
                            expired.complete(key);
                        }
                    }
                });
                expiries.sync().subscribe("__keyevent@0__:expired");
                store.onEvents(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                // The window is the assertion: the key must not expire while the events thread is stuck past its TTL.
                long window = RedisClubStore.NODE_TTL.plusSeconds(2).toMillis();
                assertThrows(TimeoutException.class, () -> expired.get(window, TimeUnit.MILLISECONDS),
                        "the heartbeat key expired while the events thread was stuck");
                assertEquals(1L, connection.sync().exists(alive));
            } finally {
                release.countDown();
                observer.shutdown();
            }
        }
    }
}
