package org.clubchat.launcher;

import java.nio.ByteBuffer;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Closes;
import org.clubchat.endpoint.WebSocketCloses;
import org.glassfish.tyrus.spi.Connection;
import org.glassfish.tyrus.spi.ReadHandler;

/**
 * Reads the WebSocket frame headers of one connection before Tyrus does, and closes with 1009 as soon as
 * a message (however fragmented) declares more payload than the limit. Without it Tyrus buffers a large
 * frame up to its read buffer and then closes with 1011, where the protocol says 1009.
 *
 * <p>One connection's reads reach it one at a time, so the parsing state needs no lock: the launcher
 * runs Grizzly's {@code WorkerThreadIOStrategy}, which stops watching a connection for reads while a
 * worker thread handles its last one, and {@link UpgradedReads} hands each read here on that thread.
 */
final class MessageSizeGuard implements ReadHandler {
    private static final int MAX_HEADER = 14;

    private final ReadHandler tyrus;
    private final Connection connection;
    private final LingeringWriter writer;
    private final long limitBytes;
    private final byte[] header = new byte[MAX_HEADER];
    private int headerFilled;
    private long payloadLeft;
    /** Payload bytes of the current data message so far; a text or binary frame starts it again. */
    private long messageBytes;
    /** Why the connection is being closed, once it is: every read after that is dropped. */
    private Close refusal;
    /** Where, in the read being scanned, the frame that caused the refusal begins (0 if in an earlier read). */
    private int refusedFrameStart;

    MessageSizeGuard(ReadHandler tyrus, Connection connection, LingeringWriter writer, long limitBytes) {
        this.tyrus = tyrus;
        this.connection = connection;
        this.writer = writer;
        this.limitBytes = limitBytes;
    }

    /**
     * Hands the data to Tyrus until a message passes the limit (or a frame declares an impossible
     * length); then hands it the frames before the offending one, closes with 1009 (1002), and reads the
     * rest of what the client sends only to drop it, until the client's close frame: only then is the
     * socket closed (see {@link LingeringWriter}).
     */
    @Override
    public void handle(ByteBuffer data) {
        if (refusal != null) {
            scan(data.duplicate());
            return;
        }
        scan(data.duplicate());
        if (refusal == null) {
            tyrus.handle(data);
            return;
        }
        if (refusedFrameStart > 0) {
            ByteBuffer before = data.duplicate();
            before.limit(data.position() + refusedFrameStart);
            tyrus.handle(before);
        }
        connection.close(WebSocketCloses.of(refusal));
    }

    /** Walks the frames in {@code data}: skips payloads, reads headers, checks each data message's size. */
    private void scan(ByteBuffer data) {
        int start = data.position();
        int frameStart = 0;
        while (data.hasRemaining()) {
            if (payloadLeft == 0 && headerFilled == 0) {
                frameStart = data.position() - start;
            }
            if (payloadLeft > 0) {
                int skip = (int) Math.min(payloadLeft, data.remaining());
                data.position(data.position() + skip);
                payloadLeft -= skip;
                continue;
            }
            header[headerFilled++] = data.get();
            if (headerFilled < 2 || headerFilled < headerLength()) {
                continue;
            }
            long length = payloadLength();
            int opcode = header[0] & 0x0F;
            headerFilled = 0;
            if (refusal != null) {
                if (opcode == 0x8) {
                    writer.peerClosed();
                }
            } else if (length < 0) {
                // RFC 6455: the most significant bit of a 64-bit length must be 0.
                refuse(Closes.PROTOCOL_ERROR, frameStart);
                length = Long.MAX_VALUE;
            } else if (opcode < 0x8) {
                // 0 continues the current message; 1 (text) and 2 (binary) start a new one. Control frames
                // (8 and up) may come between fragments and count for nothing.
                messageBytes = (opcode == 0 ? messageBytes : 0) + length;
                if (messageBytes > limitBytes) {
                    refuse(Closes.TOO_BIG, frameStart);
                }
            }
            payloadLeft = length;
        }
    }

    private void refuse(Close reason, int frameStart) {
        refusal = reason;
        refusedFrameStart = frameStart;
        writer.lingerOnClose();
    }

    private int headerLength() {
        int length7 = header[1] & 0x7F;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        boolean masked = (header[1] & 0x80) != 0;
        return 2 + extended + (masked ? 4 : 0);
    }

    /** The declared payload length; negative if a client declares more than 2^63 - 1 bytes. */
    private long payloadLength() {
        int length7 = header[1] & 0x7F;
        if (length7 < 126) {
            return length7;
        }
        int bytes = length7 == 126 ? 2 : 8;
        long length = 0;
        for (int i = 0; i < bytes; i++) {
            length = (length << 8) | (header[2 + i] & 0xFF);
        }
        return length;
    }
}
