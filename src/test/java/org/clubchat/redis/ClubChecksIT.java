package org.clubchat.redis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clubchat.club.Member;
import org.clubchat.club.PresenceLimit;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Delivery;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;
import org.clubchat.support.Await;
import org.clubchat.support.RedisProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node in many clubs checks each one's run in Redis at every sweep (every second), but reads them many
 * clubs to a command: 1,200 clubs cost a few commands a sweep, not 1,200.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class ClubChecksIT {
    private static final int CLUBS = 1200;
    /** Counts the {@code joined} answers the member gets. */
    private static final class Joins implements Delivery {
        final AtomicInteger answered = new AtomicInteger();

        @Override
        public boolean offer(Frame frame) {
            if (frame.message() instanceof ServerMessage.Joined) {
                answered.incrementAndGet();
            }
            return true;
        }

        @Override
        public void close(Close reason) {
        }
    }

    @Test
    void aNodeInManyClubsChecksThemManyToACommand() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                RedisClubStore store = new RedisClubStore(redis.uri(), 100, Duration.ofMinutes(5), new ProtocolCodec(65536),
                        InstantSource.system(), new Metrics(new SimpleMeterRegistry()), null, 1000, PresenceLimit.NONE)) {
            RedisClient client = RedisClient.create(redis.uri());
            try (var connection = client.connect()) {
                var sync = connection.sync();
                Joins joins = new Joins();
                for (int i = 0; i < CLUBS; i++) {
                    store.join("club-" + i, new Member("c", "카페 ☕", joins), OptionalLong.empty(), null, null);
                }
                Await.until(Duration.ofSeconds(30), () -> joins.answered.get() == CLUBS, () -> joins.answered.get() + " joins answered");
                sync.configResetstat();
                int sweeps = 3;
                int perSweep = (CLUBS + 499) / 500;
                for (int i = 0; i < sweeps; i++) {
                    store.sweep();
                }
                // The sweeps send their reads on the events thread; a read the store sends after them is answered after them.
                CountDownLatch sent = new CountDownLatch(1);
                store.onEvents(sent::countDown);
                assertTrue(sent.await(20, TimeUnit.SECONDS));
                store.view("club-0");
                long calls = mgetCalls(sync.info("commandstats"));
                assertTrue(calls >= sweeps, "the sweeps read no runs");
                assertTrue(calls <= sweeps * perSweep + 1, calls + " reads of the clubs' runs where " + sweeps + " sweeps need "
                        + sweeps * perSweep);
            } finally {
                client.shutdown();
            }
        }
    }

    private static long mgetCalls(String commandstats) {
        Matcher calls = Pattern.compile("cmdstat_mget:calls=(\\d+)").matcher(commandstats);
        return calls.find() ? Long.parseLong(calls.group(1)) : 0;
    }
}
