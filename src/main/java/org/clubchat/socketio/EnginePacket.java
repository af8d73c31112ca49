package org.clubchat.socketio;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * One Engine.IO 4 packet (the transport under Socket.IO; the socketio/engine.io-protocol specification):
 * a type and its text data. A text packet is the type's digit followed by the data; HTTP long-polling
 * joins several packets in one body with the record separator {@code \u001e}.
 */
public record EnginePacket(Type type, String data) {
    /** Between the packets of a long-polling body. */
    public static final char SEPARATOR = '\u001e';

    public enum Type {
        OPEN, CLOSE, PING, PONG, MESSAGE, UPGRADE, NOOP;

        char digit() {
            return (char) ('0' + ordinal());
        }
    }

    public EnginePacket {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
    }

    public static EnginePacket of(Type type) {
        return new EnginePacket(type, "");
    }

    public static EnginePacket message(String data) {
        return new EnginePacket(Type.MESSAGE, data);
    }

    /** What a received text packet is. */
    public sealed interface Decoded {
    }

    public record Valid(EnginePacket packet) implements Decoded {
    }

    /** A binary message, as long-polling carries it ({@code b} and base64), decoded. */
    public record Binary(byte[] data) implements Decoded {
    }

    /** Not an Engine.IO packet: the peer speaks something else; the session is closed. */
    public record Invalid(String reason) implements Decoded {
    }

    public static Decoded decode(String text) {
        if (text.isEmpty()) {
            return new Invalid("an empty packet");
        }
        char first = text.charAt(0);
        if (first == 'b') {
            try {
                return new Binary(Base64.getDecoder().decode(text.substring(1)));
            } catch (IllegalArgumentException e) {
                return new Invalid("a binary packet that is not base64");
            }
        }
        int type = first - '0';
        if (type < 0 || type >= Type.values().length) {
            return new Invalid("unknown packet type " + first);
        }
        return new Valid(new EnginePacket(Type.values()[type], text.substring(1)));
    }

    public String encode() {
        return type.digit() + data;
    }

    /** The packets of a long-polling body, in order. */
    public static List<String> split(String body) {
        List<String> packets = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= body.length(); i++) {
            if (i == body.length() || body.charAt(i) == SEPARATOR) {
                packets.add(body.substring(start, i));
                start = i + 1;
            }
        }
        return packets;
    }

    /** One long-polling body of these packets. */
    public static String join(List<EnginePacket> packets) {
        return joinEncoded(packets.stream().map(EnginePacket::encode).toList());
    }

    /** One long-polling body of packets already encoded (a binary one as {@code b} and base64). */
    static String joinEncoded(List<String> packets) {
        return String.join(String.valueOf(SEPARATOR), packets);
    }

    /** A binary message as long-polling carries it: {@code b} and its base64. */
    static String encodeBinary(byte[] data) {
        return "b" + Base64.getEncoder().encodeToString(data);
    }
}
