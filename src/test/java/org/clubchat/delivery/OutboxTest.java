package org.clubchat.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.websocket.CloseReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

class OutboxTest {

    private static Frame frame(int n) {
        return new Frame(new ServerMessage.Ack("c", n), "f" + n);
    }

    /**
     * Completes each send later, when the test says so; fails if a second send starts before. Once
     * {@code inline} is set, it completes every new send on the calling thread before returning.
     */
    private static final class ManualTransport implements Transport {
        final List<String> sent = new ArrayList<>();
        final List<CloseReason> closes = new ArrayList<>();
        Consumer<Throwable> pending;
        boolean inline;

        @Override
        public void send(Frame frame, Consumer<Throwable> done) {
            if (pending != null) {
                throw new AssertionError("a second send started while one was in flight");
            }
            sent.add(frame.text());
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
        public void close(CloseReason reason) {
            closes.add(reason);
        }
    }

    @Test
    void sendsInOrderWithOneSendInFlight() {
        ManualTransport transport = new ManualTransport();
        Outbox outbox = new Outbox(transport, 1 << 20, Runnable::run);
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
        Outbox outbox = new Outbox(transport, Long.MAX_VALUE, Runnable::run);
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
        Outbox outbox = new Outbox(transport, 1 << 20, Runnable::run);
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
    void failedSendStopsTheOutbox() {
        ManualTransport transport = new ManualTransport();
        Outbox outbox = new Outbox(transport, 1 << 20, Runnable::run);
        outbox.offer(frame(0));
        outbox.offer(frame(1));
        transport.complete(new IOException("peer gone"));
        assertFalse(outbox.offer(frame(2)));
        assertEquals(List.of("f0"), transport.sent);
    }

    @Test
    void backlogOverTheBoundClosesWith1013OnceAndDropsTheQueue() {
        ManualTransport transport = new ManualTransport();
        List<String> closedCallbacks = new ArrayList<>();
        Outbox outbox = new Outbox(transport, 9, Runnable::run);
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

    @Test
    void aFrameLargerThanTheBoundPassesAnEmptyQueue() {
        ManualTransport transport = new ManualTransport();
        Outbox outbox = new Outbox(transport, 4, Runnable::run);
        Frame big = new Frame(new ServerMessage.Ack("c", 1), "0123456789");
        assertTrue(outbox.offer(big));
        transport.complete(null);
        assertTrue(outbox.offer(big));
        assertTrue(outbox.offer(frame(1)), "queued behind the one in flight: 2 bytes");
        assertEquals(List.of(), transport.closes);
    }

    @Test
    void pingsOnlyAnIdleOpenOutbox() {
        ManualTransport transport = new ManualTransport();
        Outbox outbox = new Outbox(transport, 1 << 20, Runnable::run);
        outbox.ping();
        outbox.offer(frame(0));
        outbox.ping();
        transport.complete(null);
        outbox.close(Closes.SHUTDOWN);
        outbox.ping();
        assertEquals(1, transport.pings);
    }
}
