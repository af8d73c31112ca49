package org.clubchat.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * A server message with its JSON text. A frame is encoded once, by {@link ProtocolCodec}, and the same
 * text goes to every recipient and into history, so a broadcast to a thousand members is one encoding.
 * Immutable; the form a transport writes is made on first use and then shared (see {@link #encoded}).
 */
public final class Frame {
    private static final Object[] NO_FORMS = {};
    private final ServerMessage message;
    private final String requestId;
    private final String text;
    private final int wireBytes;
    /** Pairs of an {@link Encoding} and its form of this frame; see {@link #encoded}. */
    private volatile Object[] encodedForms = NO_FORMS;

    public Frame(ServerMessage message, String text) {
        this(message, null, text);
    }

    /** @param requestId the client's {@code id} the text echoes, or null */
    public Frame(ServerMessage message, String requestId, String text) {
        this.message = Objects.requireNonNull(message, "message");
        this.requestId = requestId;
        this.text = Objects.requireNonNull(text, "text");
        this.wireBytes = utf8Length(text);
    }

    public ServerMessage message() {
        return message;
    }

    /** The {@code id} of the client request this frame answers, or null: wires that carry it otherwise (socket.io acks) need it. */
    public String requestId() {
        return requestId;
    }

    public String text() {
        return text;
    }

    /** The text's length in UTF-8: what it costs in an outbox and on the wire. */
    public int wireBytes() {
        return wireBytes;
    }

    /**
     * The frame in the form a transport puts on its wire, made by {@code encoding} on first use and then
     * shared by every recipient: a broadcast to a thousand members of one transport is one encoding.
     * A server uses few encodings (one per wire), so they are kept in a small array that is replaced,
     * not changed; two threads racing may each make the form once, and one of them is kept.
     */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Encoding<T> encoding) {
        Object[] forms = encodedForms;
        for (int i = 0; i < forms.length; i += 2) {
            if (forms[i] == encoding) {
                return (T) forms[i + 1];
            }
        }
        T form = encoding.encode(this);
        Object[] grown = Arrays.copyOf(forms, forms.length + 2);
        grown[forms.length] = encoding;
        grown[forms.length + 1] = form;
        encodedForms = grown;
        return form;
    }

    /**
     * How a transport turns a frame into what it writes. Compared by identity, so each transport keeps
     * one instance; {@link #encode} must be a pure function of the frame.
     */
    @FunctionalInterface
    public interface Encoding<T> {
        T encode(Frame frame);
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
