package org.clubchat.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A server message with its JSON text. A frame is encoded once, by {@link ProtocolCodec}, and the same
 * text goes to every recipient and into history, so a broadcast to a thousand members is one encoding.
 * Immutable; its WebSocket form is made on first use and then shared.
 */
public final class Frame {
    private final ServerMessage message;
    private final String text;
    private final int wireBytes;
    /** Made at most a few times if threads race, always the same bytes: no lock needed. */
    private volatile byte[] webSocketFrame;

    public Frame(ServerMessage message, String text) {
        this.message = Objects.requireNonNull(message, "message");
        this.text = Objects.requireNonNull(text, "text");
        this.wireBytes = utf8Length(text);
    }

    public ServerMessage message() {
        return message;
    }

    public String text() {
        return text;
    }

    /** The text's length in UTF-8: what it costs in an outbox and on the wire. */
    public int wireBytes() {
        return wireBytes;
    }

    /**
     * The whole WebSocket text frame as a server sends it (RFC 6455: FIN, opcode 1, unmasked, the length
     * in 7, 16 or 64 bits, then the UTF-8 text), for transports that write frames themselves: one copy
     * for every member of a broadcast instead of one encoding per member.
     */
    public byte[] webSocketFrame() {
        byte[] frame = webSocketFrame;
        if (frame == null) {
            frame = frameOf(text.getBytes(StandardCharsets.UTF_8));
            webSocketFrame = frame;
        }
        return frame;
    }

    private static byte[] frameOf(byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
        byte[] frame = new byte[header + length];
        frame[0] = (byte) 0x81;
        if (length < 126) {
            frame[1] = (byte) length;
        } else if (length < 65_536) {
            frame[1] = 126;
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = 127;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, frame, header, length);
        return frame;
    }

    static int utf8Length(String text) {
        int bytes = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                // 2 bytes below U+0800, else 3; a surrogate pair is 4 bytes for 2 chars.
                bytes += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
            }
        }
        return bytes;
    }

    @Override
    public String toString() {
        return text;
    }
}
