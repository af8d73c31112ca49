package org.clubchat.protocol;

import java.util.Objects;

/**
 * A server message with its JSON text. A frame is encoded once, by {@link ProtocolCodec}, and the same
 * text goes to every recipient and into history, so a broadcast to a thousand members is one encoding.
 *
 * @param wireBytes the text's length in UTF-8, what it costs in an outbox and on the wire
 */
public record Frame(ServerMessage message, String text, int wireBytes) {
    public Frame {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(text, "text");
    }

    public Frame(ServerMessage message, String text) {
        this(message, text, utf8Length(text));
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
}
