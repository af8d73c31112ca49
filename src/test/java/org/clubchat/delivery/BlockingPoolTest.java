package org.clubchat.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tasks stuck on a peer get threads added beside them, up to the most, and the added ones go again. */
class BlockingPoolTest {
    private final CountDownLatch peerReads = new CountDownLatch(1);
    private final List<Thread> made = new CopyOnWriteArrayList<>();
    private BlockingPool pool;

    @AfterEach
    void stop() throws InterruptedException {
        peerReads.countDown();
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    private void stuckSend() {
        pool.execute(() -> {
            try {
                peerReads.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    void aTaskQueuedBehindStuckSendsRunsOnAnAddedThread() {
        pool = new BlockingPool("test-sender", 2, 8, made::add);
        stuckSend();
        stuckSend();
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(ran::countDown);
        Await.until(Duration.ofSeconds(10), () -> {
            pool.adjust();
            return ran.getCount() == 0;
        }, () -> "the third task still waits behind " + pool.stuck() + " stuck sends");
        assertEquals(2, pool.stuck());
        assertEquals(4, pool.getCorePoolSize(), "the base and one for each stuck send");
        assertTrue(made.stream().allMatch(thread -> thread.getName().equals("test-sender") && thread.isDaemon()));

        peerReads.countDown();
        Await.until(Duration.ofSeconds(10), () -> {
            pool.adjust();
            return pool.getCorePoolSize() == 2;
        }, () -> "back to the base once nothing is stuck: " + pool.getCorePoolSize());
        assertEquals(0, pool.stuck());
    }

    @Test
    void noMoreThreadsThanTheMostHoweverManyAreStuck() {
        pool = new BlockingPool("test-sender", 1, 3, made::add);
        for (int i = 0; i < 5; i++) {
            stuckSend();
        }
        Await.until(Duration.ofSeconds(10), () -> {
            pool.adjust();
            return pool.stuck() == 3;
        }, () -> "stuck: " + pool.stuck());
        pool.adjust();
        assertEquals(3, pool.getCorePoolSize());
        assertEquals(3, made.size());
        assertFalse(pool.getQueue().isEmpty(), "the rest wait, as in a fixed pool");
    }
}
