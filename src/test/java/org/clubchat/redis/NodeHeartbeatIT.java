package org.clubchat.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
                        InstantSource.system(), new Metrics(new SimpleMeterRegistry()))) {
            RedisClient observer = RedisClient.create(redis.uri());
            CountDownLatch release = new CountDownLatch(1);
            try (var connection = observer.connect()) {
                store.onEvents(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                String alive = ClubKeys.nodeAlive(store.node());
                long stuckUntil = System.nanoTime() + RedisClubStore.NODE_TTL.plusSeconds(2).toNanos();
                while (System.nanoTime() < stuckUntil) {
                    assertEquals(1L, connection.sync().exists(alive), "the heartbeat key lives while the events thread is stuck");
                    Thread.sleep(100); // a sample every 100 ms across the window: the window itself is the assertion
                }
            } finally {
                release.countDown();
                observer.shutdown();
            }
        }
    }
}
