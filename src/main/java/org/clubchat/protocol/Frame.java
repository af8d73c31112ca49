package org.clubchat.protocol;

import java.util.Objects;

/**
 * A server message with its JSON text. A frame is encoded once, by {@link ProtocolCodec}, and the same
 * text goes to every recipient and into history, so a broadcast to a thousand members is one encoding.
 */
public record Frame(ServerMessage message, String text) {
    public Frame {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(text, "text");
    }
}
