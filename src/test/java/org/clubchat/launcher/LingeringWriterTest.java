package org.clubchat.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;
import org.junit.jupiter.api.Test;

/** The held-back TCP close, and no data frame of ours after a close frame of Tyrus's. */
class LingeringWriterTest {

    /** A timer whose task the test runs by hand: the linger time passes when the test says so. */
    private static final class ManualTimer extends ScheduledThreadPoolExecutor {
        Runnable task;

        ManualTimer() {
            super(0);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            task = command;
            return null;
        }
    }

    private static final class Socket extends Writer {
        final List<Integer> written = new ArrayList<>();
        int closes;

        @Override
        public void write(ByteBuffer buffer, CompletionHandler<ByteBuffer> completionHandler) {
            written.add(buffer.get(buffer.position()) & 0x0F);
        }

        @Override
        public void close() {
            closes++;
        }
    }

    private final ManualTimer timer = new ManualTimer();
    private final Socket socket = new Socket();
    private final LingeringWriter writer = new LingeringWriter(socket, timer);

    @Test
    void withoutLingeringACloseClosesTheSocketAtOnceAndOnlyOnce() {
        writer.close();
        writer.close();
        assertEquals(1, socket.closes);
    }

    @Test
    void whileLingeringTheCloseWaitsForTheClientsCloseFrame() {
        writer.lingerOnClose();
        writer.close();
        assertEquals(0, socket.closes, "held back");
        writer.peerClosed();
        assertEquals(1, socket.closes);
        timer.task.run();
        assertEquals(1, socket.closes, "once");
    }

    @Test
    void whileLingeringTheCloseHappensWhenTheLingerTimeIsUp() {
        writer.lingerOnClose();
        writer.close();
        timer.task.run();
        assertEquals(1, socket.closes);
    }

    @Test
    void aCloseAskedForAfterTheLingerTimeHappensAtOnce() {
        writer.lingerOnClose();
        timer.task.run();
        writer.close();
        assertEquals(1, socket.closes, "the close did not wait for a client that never sent its close frame");
    }

    @Test
    void noDataFrameFollowsACloseFrame() {
        List<String> enqueued = new ArrayList<>();
        assertTrue(writer.writeData(() -> enqueued.add("before")));
        writer.write(ByteBuffer.wrap(new byte[] {(byte) 0x88, 2, 3, (byte) 0xE8}), null);
        assertFalse(writer.writeData(() -> enqueued.add("after")));
        assertEquals(List.of("before"), enqueued);
        assertEquals(List.of(0x8), socket.written);
    }
}
