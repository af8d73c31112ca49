package org.clubchat.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.clubchat.delivery.Close;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ServerMessage;
import org.clubchat.support.Await;
import org.junit.jupiter.api.Test;

class OutboxTest {

    private static Frame frame(int n) {
        return new Frame(new ServerMessage.Ack("c", n, false), "f" + n);
    }

    /**
     * Completes each send later, when the test says so; fails if a second send starts before. Once
     * {@code inline} is set, it completes every new send on the calling thread before returning.
     * Records the frames sent and, separately, the batches.
     */
    private static class ManualTransport implements Transport {
        final List<String> sent = new ArrayList<>();
        final List<List<String>> batches = new ArrayList<>();
        final List<Close> closes = new ArrayList<>();
        Consumer<Throwable> pending;
        boolean inline;
        int batchBytes;
        int overheadBytes;

        @Override
        public int batchBytes() {
            return batchBytes;
        }

        @Override
        public int overheadBytes() {
            return overheadBytes;
        }

        @Override
        public void send(List<Frame> frames, Consumer<Throwable> done) {
            if (pending != null) {
                throw new AssertionError("a second send started while one was in flight");
            }
            if (frames.size() > 1 && frames.stream().mapToInt(frame -> frame.wireBytes() + overheadBytes).sum() > batchBytes) {
                throw new AssertionError("a batch over " + batchBytes + " bytes: " + frames);
            }
            List<String> texts = frames.stream().map(Frame::text).toList();
            sent.addAll(texts);
            batches.add(texts);
            if (inline) {
                done.accept(null);
            } else {
                pending = done;
            }
        }

        void complete(Throwable failure) {
            Consumer<Throwable> done = pending;
            pending = null;
            done.accept(failure);
        }

        int pings;

        @Override
        public void ping() {
            pings++;
        }

        @Override
        public void close(Close reason) {
            closes.add(reason);
        }
    }

    /**
     * A send that does not return until the test releases it, as one stuck on a full socket holds its
     * thread: {@code entered} opens when a send starts.
     */
    private static final class HeldTransport implements Transport {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicBoolean returned = new AtomicBoolean();
        final List<Close> closes = new ArrayList<>();

        @Override
        public int batchBytes() {
            return 0;
        }

        @Override
        public boolean sendsBlock() {
            return true;
        }

        @Override
        public void send(List<Frame> frames, Consumer<Throwable> done) {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            returned.set(true);
            done.accept(null);
        }

        @Override
        public void ping() {
        }

        @Override
        public synchronized void close(Close reason) {
            closes.add(reason);
        }

        synchronized List<Close> closes() {
            return List.copyOf(closes);
        }
    }

    @Test
    void sendsInOrderWithOneSendInFlight() {
        ManualTransport transport = new ManualTransport();
        Outbox outbox = new Outbox(transport, 1 << 20, Runnable::run, Runnable::run);
        IntStream.range(0, 5).forEach(n -> assertTrue(outbox.offer(frame(n))));
        assertEquals(List.of("f0"), transport.sent);
        for (int n = 1; n < 5; n++) {
            transport.complete(null);
            assertEquals("f" + n, transport.sent.get(n));
        }
        transport.complete(null);
        assertTrue(outbox.offer(frame(5)), "an idle outbox starts sending again");
        assertEquals("f5", transport.sent.get(5));
    }

    @Test
    void completionOnTheSendingThreadDrainsWithoutGrowingTheStack() {
        ManualTransport transport = new ManualTransport();
        Outbox outbox = new Outbox(transport, Long.MAX_VALUE, Runnable::run, Runnable::run);
        // A queue that builds up behind one slow send, then drains inline: 200k nested calls would overflow.
        IntStream.range(0, 200_000).forEach(n -> outbox.offer(frame(n)));
        transport.inline = true;
        transport.complete(null);
        assertEquals(200_000, transport.sent.size());
        assertEquals("f199999", transport.sent.get(transport.sent.size() - 1));
    }

    @Test
    void closeDropsTheQueueAndRefusesLaterFrames() {
        ManualTransport transport = new ManualTransport();
        Outbox outbox = new Outbox(transport, 1 << 20, Runnable::run, Runnable::run);
        outbox.offer(frame(0));
        outbox.offer(frame(1));
        outbox.close(Closes.SHUTDOWN);
        outbox.close(Closes.SHUTDOWN);
        assertEquals(List.of(Closes.SHUTDOWN), transport.closes, "closed once");
        assertFalse(outbox.offer(frame(2)));
        transport.complete(null);
        assertEquals(List.of("f0"), transport.sent);
    }

    @Test
    void failedSendStopsTheOutboxAndClosesTheConnectionSoThatItIsForgotten() {
        ManualTransport transport = new ManualTransport();
        List<Close> told = new ArrayList<>();
        Outbox outbox = new Outbox(transport, 1 << 20, Runnable::run, Runnable::run);
        outbox.whenClosed(told::add);
        outbox.offer(frame(0));
        outbox.offer(frame(1));
        transport.complete(new IOException("peer gone"));
        assertFalse(outbox.offer(frame(2)));
        assertEquals(List.of("f0"), transport.sent);
        assertEquals(List.of(Closes.SEND_FAILED), transport.closes);
        assertEquals(List.of(Closes.SEND_FAILED), told, "even if the container never reports the close");
    }

    @Test
    void pingsGoOutOnTheSenderNotOnTheThreadThatAsks() {
        ManualTransport transport = new ManualTransport();
        List<Runnable> sender = new ArrayList<>();
        Outbox outbox = new Outbox(transport, 1 << 20, sender::add, Runnable::run);
        outbox.ping();
        assertEquals(0, transport.pings, "not on the timer's thread");
        sender.remove(0).run();
        assertEquals(1, transport.pings);
    }

    @Test
    void aSendUnderWaySaysHowLongItHasTaken() throws Exception {
        HeldTransport stuck = new HeldTransport();
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            Outbox outbox = new Outbox(stuck, 1000, sender, Runnable::run);
            assertEquals(0, outbox.sendingFor(System.nanoTime()), "nothing is being sent");
            long before = System.nanoTime();
            assertTrue(outbox.offer(frame(0)));
            assertTrue(stuck.entered.await(10, TimeUnit.SECONDS));
            long later = System.nanoTime() + TimeUnit.SECONDS.toNanos(11);
            assertTrue(outbox.sendingFor(later) >= TimeUnit.SECONDS.toNanos(11)
                    && outbox.sendingFor(later) <= later - before, "the send began when the offer started it");
            stuck.release.countDown();
            Await.until(Duration.ofSeconds(10), () -> outbox.sendingFor(System.nanoTime()) == 0, () -> "the send returned");
        } finally {
            stuck.release.countDown();
            sender.shutdownNow();
        }
    }

    @Test
    void aBlockingSendStillUnderWayCountsAsStalled() throws Exception {
        HeldTransport stuck = new HeldTransport();
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            Outbox outbox = new Outbox(stuck, 5, sender, Runnable::run);
            assertTrue(outbox.offer(frame(0)));
            assertTrue(stuck.entered.await(10, TimeUnit.SECONDS), "the send of f0 is under way");
            assertTrue(outbox.offer(frame(1)));
            assertTrue(outbox.offer(frame(2)));
            assertFalse(outbox.offer(frame(3)), "2 + 2 + 2 bytes behind a send that has not returned");
            assertEquals(List.of(Closes.OUTBOX_OVERFLOW), stuck.closes());
        } finally {
            stuck.release.countDown();
            sender.shutdownNow();
        }
    }

    @Test
    void detachWaitsForASendUnderWayOnAnotherThreadAndRefusesLaterFrames() throws Exception {
        HeldTransport stuck = new HeldTransport();
        ExecutorService sender = Executors.newSingleThreadExecutor();
        Thread test = Thread.currentThread();
        Thread releaser = new Thread(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (test.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            stuck.release.countDown();
        });
        try {
            Outbox outbox = new Outbox(stuck, 1 << 20, sender, Runnable::run);
            outbox.offer(frame(0));
            assertTrue(stuck.entered.await(10, TimeUnit.SECONDS));
            releaser.start();
            outbox.detach(Duration.ofSeconds(10));
            assertTrue(stuck.returned.get(), "detach returned only once the send under way had");
            assertFalse(outbox.offer(frame(1)));
        } finally {
            stuck.release.countDown();
            sender.shutdownNow();
            releaser.join(10_000);
        }
    }

    /**
     * A container that holds a close while its peer does not read (Payara writes the close frame behind
     * what is queued): the connection is gone for club-chat before that close returns.
     */
    @Test
    void theConnectionIsForgottenBeforeAClosingTransportReturns() throws Exception {
        CountDownLatch closeMayReturn = new CountDownLatch(1);
        CountDownLatch told = new CountDownLatch(1);
        ManualTransport transport = new ManualTransport() {
            @Override
            public void close(Close reason) {
                super.close(reason);
                try {
                    closeMayReturn.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        ExecutorService closer = Executors.newSingleThreadExecutor();
        try {
            Outbox outbox = new Outbox(transport, 9, Runnable::run, closer);
            outbox.whenClosed(reason -> told.countDown());
            outbox.offer(frame(0));
            IntStream.rangeClosed(1, 5).forEach(i -> outbox.offer(frame(i)));
            assertTrue(told.await(5, TimeUnit.SECONDS), "forgotten while the transport's close still waits");
            closeMayReturn.countDown();
        } finally {
            closer.shutdown();
            assertTrue(closer.awaitTermination(5, TimeUnit.SECONDS));
        }
        assertEquals(List.of(Closes.OUTBOX_OVERFLOW), transport.closes);
    }

    @Test
    void backlogOverTheBoundClosesWith1013OnceAndDropsTheQueue() {
        ManualTransport transport = new ManualTransport();
        List<String> closedCallbacks = new ArrayList<>();
        Outbox outbox = new Outbox(transport, 9, Runnable::run, Runnable::run);
        outbox.whenClosed(reason -> closedCallbacks.add("closed"));
        assertTrue(outbox.offer(frame(0)), "in flight, not queued");
        assertTrue(outbox.offer(frame(1)));
        assertTrue(outbox.offer(frame(2)));
        assertTrue(outbox.offer(frame(3)));
        assertTrue(outbox.offer(frame(4)), "f1-f4 make 8 bytes queued");
        assertFalse(outbox.offer(frame(5)), "8 + 2 bytes passes the bound of 9");
        assertFalse(outbox.offer(frame(6)));
        assertEquals(List.of(Closes.OUTBOX_OVERFLOW), transport.closes);
        assertEquals(List.of("closed"), closedCallbacks);
        transport.complete(null);
        assertEquals(List.of("f0"), transport.sent, "the queue was dropped");
    }

    /** socket.io adds the client's recovery offset to every frame it writes: that counts against the bound and the batch. */
    @Test
    void whatTheTransportAddsToEachFrameCountsAgainstTheBoundAndTheBatch() {
        ManualTransport transport = new ManualTransport();
        transport.overheadBytes = 10;
        transport.batchBytes = 30;
        Outbox outbox = new Outbox(transport, 40, Runnable::run, Runnable::run);
        assertTrue(outbox.offer(frame(0)), "in flight, not queued");
        assertTrue(outbox.offer(frame(1)));
        assertTrue(outbox.offer(frame(2)));
        assertTrue(outbox.offer(frame(3)), "three frames of 2 + 10 bytes: 36");
        transport.complete(null);
        assertEquals(List.of("f1", "f2"), transport.batches.get(1), "two of 12 fit in a batch of 30, not three");
        assertTrue(outbox.offer(frame(4)));
        assertTrue(outbox.offer(frame(5)), "f3 to f5 queued behind f1 and f2: 36");
        assertFalse(outbox.offer(frame(6)), "a fourth of 12 passes 40, where the frames alone would make 8");
        assertEquals(List.of(Closes.OUTBOX_OVERFLOW), transport.closes);
    }

    @Test
    void aFrameLargerThanTheBoundPassesAnEmptyQueue() {
        ManualTransport transport = new ManualTransport();
        Outbox outbox = new Outbox(transport, 4, Runnable::run, Runnable::run);
        Frame big = new Frame(new ServerMessage.Ack("c", 1, false), "0123456789");
        assertTrue(outbox.offer(big));
        transport.complete(null);
        assertTrue(outbox.offer(big));
        assertTrue(outbox.offer(frame(1)), "queued behind the one in flight: 2 bytes");
        assertEquals(List.of(), transport.closes);
    }

    @Test
    void pingsOnlyAnIdleOpenOutbox() {
        ManualTransport transport = new ManualTransport();
        Outbox outbox = new Outbox(transport, 1 << 20, Runnable::run, Runnable::run);
        outbox.ping();
        outbox.offer(frame(0));
        outbox.ping();
        transport.complete(null);
        outbox.close(Closes.SHUTDOWN);
        outbox.ping();
        assertEquals(1, transport.pings);
    }

    @Test
    void framesQueuedBehindASendGoOutTogetherWithinTheTransportsBatchSize() {
        ManualTransport transport = new ManualTransport();
        transport.batchBytes = 6;
        Outbox outbox = new Outbox(transport, 1 << 20, Runnable::run, Runnable::run);
        IntStream.range(0, 6).forEach(n -> outbox.offer(frame(n)));
        Frame big = new Frame(new ServerMessage.Ack("c", 1, false), "0123456789");
        outbox.offer(big);
        outbox.offer(frame(6));
        while (transport.pending != null) {
            transport.complete(null);
        }
        assertEquals(List.of(List.of("f0"), List.of("f1", "f2", "f3"), List.of("f4", "f5"), List.of("0123456789"),
                List.of("f6")), transport.batches, "2-byte frames three at a time; a frame over the size alone");
    }

    @Test
    void aSenderExecutorSendsWhatWasOfferedUntilItRan() {
        ManualTransport transport = new ManualTransport();
        transport.batchBytes = 1024;
        List<Runnable> drains = new ArrayList<>();
        Outbox outbox = new Outbox(transport, 1 << 20, drains::add, Runnable::run);
        IntStream.range(0, 3).forEach(n -> assertTrue(outbox.offer(frame(n))));
        assertEquals(List.of(), transport.sent, "nothing sent on the offering thread");
        assertEquals(1, drains.size(), "one drain for the idle outbox, none for the frames behind it");
        drains.get(0).run();
        assertEquals(List.of(List.of("f0", "f1", "f2")), transport.batches);
    }

    @Test
    void aSenderThatRefusesLeavesTheSendToTheOfferingThread() {
        ManualTransport transport = new ManualTransport();
        Outbox outbox = new Outbox(transport, 1 << 20, task -> {
            throw new RejectedExecutionException("shutting down");
        }, Runnable::run);
        assertTrue(outbox.offer(frame(0)));
        assertEquals(List.of("f0"), transport.sent);
    }

    @Test
    void aCloseBeforeTheWriterRanSendsWhatWasQueuedThenCloses() {
        ManualTransport transport = new ManualTransport();
        transport.batchBytes = 1024;
        transport.inline = true;
        List<Runnable> drains = new ArrayList<>();
        Outbox outbox = new Outbox(transport, 1 << 20, drains::add, Runnable::run);
        outbox.offer(frame(0));
        outbox.offer(frame(1));
        outbox.close(Closes.FLOODING);
        assertEquals(List.of(), transport.closes, "not before the queue is out");
        assertFalse(outbox.offer(frame(2)), "closing: no new frames");
        drains.get(0).run();
        assertEquals(List.of("f0", "f1"), transport.sent);
        assertEquals(List.of(Closes.FLOODING), transport.closes);
    }

    @Test
    void aCloseWaitingForTheQueueClosesAtOnceWhenASendStalls() {
        ManualTransport transport = new ManualTransport();
        List<Runnable> drains = new ArrayList<>();
        Outbox outbox = new Outbox(transport, 1 << 20, drains::add, Runnable::run);
        outbox.offer(frame(0));
        outbox.offer(frame(1));
        outbox.close(Closes.SHUTDOWN);
        assertEquals(List.of(), transport.closes);
        drains.get(0).run();
        assertEquals(List.of(Closes.SHUTDOWN), transport.closes, "a client that does not read is not waited for");
        transport.complete(null);
        assertEquals(List.of("f0"), transport.sent, "the rest was dropped");
    }

    @Test
    void framesWaitingOnlyForTheWriterDoNotCountAgainstTheBound() {
        ManualTransport transport = new ManualTransport();
        transport.batchBytes = Integer.MAX_VALUE;
        List<Runnable> drains = new ArrayList<>();
        Outbox outbox = new Outbox(transport, 4, drains::add, Runnable::run);
        IntStream.range(0, 5).forEach(n -> assertTrue(outbox.offer(frame(n)), "no send in flight yet"));
        drains.get(0).run();
        assertEquals(List.of(List.of("f0", "f1", "f2", "f3", "f4")), transport.batches);
        assertTrue(outbox.offer(frame(5)));
        assertTrue(outbox.offer(frame(6)), "4 bytes behind the send in flight");
        assertFalse(outbox.offer(frame(7)), "6 bytes pass the bound of 4");
        assertEquals(List.of(Closes.OUTBOX_OVERFLOW), transport.closes);
    }

    @Test
    void aCloserThatHasStoppedLeavesTheCloseToTheCallingThread() {
        ManualTransport transport = new ManualTransport();
        List<Close> told = new ArrayList<>();
        Outbox outbox = new Outbox(transport, 1 << 20, Runnable::run, task -> {
            throw new RejectedExecutionException("stopped");
        });
        outbox.whenClosed(told::add);
        outbox.close(Closes.SHUTDOWN);
        assertEquals(List.of(Closes.SHUTDOWN), transport.closes);
        assertEquals(List.of(Closes.SHUTDOWN), told);
    }
}
