package org.clubchat.launcher;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.clubchat.protocol.Frame;

/**
 * A frame as the whole WebSocket text frame a server sends (RFC 6455: FIN, opcode 1, unmasked, the
 * length in 7, 16 or 64 bits, then the UTF-8 text). Through {@link Frame#encoded} it is made once per
 * broadcast and shared by every member, instead of one encoding and framing per member in Tyrus.
 */
final class WebSocketFrames implements Frame.Encoding<byte[]> {
    static final WebSocketFrames TEXT = new WebSocketFrames();

    private WebSocketFrames() {
    }

    @Override
    public byte[] encode(Frame frame) {
        return textFrame(frame.text());
    }

    /** Frames one after the other, as one write. */
    static byte[] joined(List<byte[]> frames) {
        if (frames.size() == 1) {
            return frames.get(0);
        }
        int length = 0;
        for (byte[] frame : frames) {
            length += frame.length;
        }
        byte[] batch = new byte[length];
        int at = 0;
        for (byte[] frame : frames) {
            System.arraycopy(frame, 0, batch, at, frame.length);
            at += frame.length;
        }
        return batch;
    }

    /** One text message as a whole, unmasked WebSocket frame. */
    static byte[] textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int length = payload.length;
        int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
        byte[] bytes = new byte[header + length];
        bytes[0] = (byte) 0x81;
        if (length < 126) {
            bytes[1] = (byte) length;
        } else if (length < 65_536) {
            bytes[1] = 126;
            bytes[2] = (byte) (length >>> 8);
            bytes[3] = (byte) length;
        } else {
            bytes[1] = 127;
            for (int i = 0; i < 8; i++) {
                bytes[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        System.arraycopy(payload, 0, bytes, header, length);
        return bytes;
    }
}
