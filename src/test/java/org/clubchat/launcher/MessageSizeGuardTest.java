package org.clubchat.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.websocket.CloseReason;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Connection;
import org.glassfish.tyrus.spi.ReadHandler;
import org.glassfish.tyrus.spi.Writer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guard in front of Tyrus, fed one stream of client frames split into two reads at every point: what
 * comes before the refused message always reaches Tyrus, pings between fragments count for nothing, and
 * the connection is closed once, with the right code.
 */
class MessageSizeGuardTest {
    private static final int LIMIT = 100;
    private static final int TEXT = 0x1;
    private static final int CONTINUATION = 0x0;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);

    @AfterEach
    void stopTimer() {
        timer.shutdownNow();
    }

    /** What Tyrus was handed and how the connection was closed. */
    private static final class Tyrus implements ReadHandler, Connection {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final List<Integer> closes = new ArrayList<>();

        @Override
        public void handle(ByteBuffer data) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.writeBytes(bytes);
        }

        @Override
        public ReadHandler getReadHandler() {
            return this;
        }

        @Override
        public Writer getWriter() {
            return null;
        }

        @Override
        public CloseListener getCloseListener() {
            return null;
        }

        @Override
        public void close(CloseReason reason) {
            closes.add(reason.getCloseCode().getCode());
        }
    }

    private static final class NoWriter extends Writer {
        @Override
        public void write(ByteBuffer buffer, CompletionHandler<ByteBuffer> completionHandler) {
        }

        @Override
        public void close() {
        }
    }

    /** A client frame: masked with a zero key, as clients must mask; payload of {@code length} bytes. */
    private static byte[] frame(int opcode, boolean fin, int length) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (length < 126) {
            out.write(0x80 | length);
        } else {
            out.write(0x80 | 126);
            out.write(length >>> 8);
            out.write(length & 0xFF);
        }
        out.writeBytes(new byte[4]);
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'a');
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** A whole message, and one in two fragments with pings between and around them, together just under the limit. */
    private static byte[] validFrames() {
        return concat(frame(TEXT, true, 10), frame(PING, true, 0), frame(TEXT, false, 50), frame(PING, true, 2),
                frame(CONTINUATION, true, LIMIT - 50), frame(TEXT, true, LIMIT));
    }

    private Tyrus feed(byte[] stream, int split) {
        Tyrus tyrus = new Tyrus();
        MessageSizeGuard guard = new MessageSizeGuard(tyrus, tyrus, new LingeringWriter(new NoWriter(), timer), LIMIT);
        guard.handle(ByteBuffer.wrap(stream, 0, split).slice());
        guard.handle(ByteBuffer.wrap(stream, split, stream.length - split).slice());
        return tyrus;
    }

    @Test
    void framesWithinTheLimitAllReachTyrusWhereverTheReadsSplit() {
        byte[] stream = validFrames();
        for (int split = 0; split <= stream.length; split++) {
            Tyrus tyrus = feed(stream, split);
            assertArrayEquals(stream, tyrus.received.toByteArray(), "split at " + split);
            assertEquals(List.of(), tyrus.closes, "split at " + split);
        }
    }

    @Test
    void aMessageOverTheLimitClosesWith1009AndWhatCameBeforeStillReachesTyrus() {
        byte[] valid = validFrames();
        byte[] tooBig = concat(frame(TEXT, false, 60), frame(PING, true, 0), frame(CONTINUATION, true, LIMIT - 59));
        int refusedAt = valid.length + frame(TEXT, false, 60).length + frame(PING, true, 0).length;
        byte[] stream = concat(valid, tooBig, frame(TEXT, true, 5), frame(CLOSE, true, 2));
        for (int split = 0; split <= stream.length; split++) {
            Tyrus tyrus = feed(stream, split);
            // A read that ends inside the refused frame's header is handed over whole: the refusal is
            // only known once the header is complete, and Tyrus just waits for the rest of that header.
            boolean splitInHeader = split > refusedAt && split < refusedAt + 6;
            byte[] expected = Arrays.copyOf(stream, splitInHeader ? split : refusedAt);
            assertArrayEquals(expected, tyrus.received.toByteArray(), "split at " + split);
            assertEquals(List.of(1009), tyrus.closes, "split at " + split);
        }
    }

    @Test
    void aLengthWithItsTopBitSetClosesWith1002() {
        byte[] header = {(byte) 0x81, (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
        byte[] stream = concat(frame(TEXT, true, 3), header);
        Tyrus tyrus = feed(stream, stream.length);
        assertArrayEquals(frame(TEXT, true, 3), tyrus.received.toByteArray());
        assertEquals(List.of(1002), tyrus.closes);
    }
}
