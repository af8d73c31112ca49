package org.clubchat.socketio;

import static org.clubchat.protocol.JsonP.PROVIDER;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.util.Objects;

/**
 * One Socket.IO 5 packet (the socketio/socket.io-protocol specification), carried in an Engine.IO
 * {@code MESSAGE}: {@code <type>[<attachments>-][<namespace>,][<ack id>][JSON]}. Immutable values;
 * {@link #decode} and {@link #encode} are the one codec, with Parsson for the JSON.
 */
public sealed interface SocketPacket {
    /** The main namespace, the only one club-chat serves. */
    String MAIN = "/";
    /** Ack ids are what JavaScript's numbers hold exactly. */
    long MAX_ACK_ID = (1L << 53) - 1;

    String namespace();

    /** @param auth the client's {@code auth} payload, or null */
    record Connect(String namespace, JsonObject auth) implements SocketPacket {
    }

    record Disconnect(String namespace) implements SocketPacket {
    }

    /** @param ackId the id the sender wants acknowledged, or null */
    record Event(String namespace, JsonArray data, Long ackId) implements SocketPacket {
        public Event {
            Objects.requireNonNull(data, "data");
        }

        public String name() {
            return data.getString(0);
        }
    }

    record Ack(String namespace, JsonArray data, long ackId) implements SocketPacket {
    }

    record ConnectError(String namespace, JsonValue data) implements SocketPacket {
    }

    /** What a received packet is. */
    sealed interface Decoded {
    }

    record Valid(SocketPacket packet) implements Decoded {
    }

    /**
     * BINARY_EVENT or BINARY_ACK: an {@link Event} or {@link Ack} whose arguments hold placeholders for
     * the binary messages that follow it.
     */
    record Binary(SocketPacket packet, int attachments) implements Decoded {
    }

    /** Not a valid packet: the receiver closes the connection (the specification's MUST). */
    record Invalid(String reason) implements Decoded {
    }

    static Decoded decode(String text) {
        if (text.isEmpty() || text.charAt(0) < '0' || text.charAt(0) > '6') {
            return new Invalid("unknown packet type");
        }
        int type = text.charAt(0) - '0';
        int at = 1;
        int attachments = -1;
        if (type == 5 || type == 6) {
            int dash = text.indexOf('-');
            if (dash < 2 || dash > 7 || !text.substring(1, dash).chars().allMatch(Character::isDigit)) {
                return new Invalid("a binary packet starts with its number of attachments");
            }
            attachments = Integer.parseInt(text.substring(1, dash));
            at = dash + 1;
        }
        String namespace = MAIN;
        if (at < text.length() && text.charAt(at) == '/') {
            int comma = text.indexOf(',', at);
            int end = comma < 0 ? text.length() : comma;
            namespace = text.substring(at, end);
            at = comma < 0 ? end : comma + 1;
        }
        Long ackId = null;
        int digits = at;
        while (digits < text.length() && Character.isDigit(text.charAt(digits)) && digits - at < 17) {
            digits++;
        }
        if (digits > at) {
            ackId = Long.parseLong(text.substring(at, digits));
            if (ackId > MAX_ACK_ID) {
                return new Invalid("ack id too large");
            }
            at = digits;
        }
        JsonValue payload = null;
        if (at < text.length()) {
            try (JsonParser parser = PROVIDER.createParser(new StringReader(text.substring(at)))) {
                parser.next();
                payload = parser.getValue();
                if (parser.hasNext()) {
                    return new Invalid("more than one JSON value");
                }
            } catch (RuntimeException e) {
                // Parsson throws more than JsonException: NumberFormatException for an exponent like 1e10000000000.
                return new Invalid("the payload is not JSON");
            }
        }
        Decoded decoded = switch (type) {
            case 0 -> payload == null || payload instanceof JsonObject
                    ? new Valid(new Connect(namespace, (JsonObject) payload)) : new Invalid("CONNECT takes an object");
            case 1 -> payload == null ? new Valid(new Disconnect(namespace)) : new Invalid("DISCONNECT takes no payload");
            case 2, 5 -> payload instanceof JsonArray array && !array.isEmpty() && array.get(0) instanceof JsonString
                    ? new Valid(new Event(namespace, array, ackId)) : new Invalid("EVENT takes an array that starts with its name");
            case 3, 6 -> payload instanceof JsonArray array && ackId != null
                    ? new Valid(new Ack(namespace, array, ackId)) : new Invalid("ACK takes an id and an array");
            default -> payload instanceof JsonObject || payload instanceof JsonString
                    ? new Valid(new ConnectError(namespace, payload)) : new Invalid("CONNECT_ERROR takes an object");
        };
        return attachments >= 0 && decoded instanceof Valid valid ? new Binary(valid.packet(), attachments) : decoded;
    }

    /** The packet's text, without the Engine.IO {@code 4} in front. */
    default String encode() {
        return encode(-1);
    }

    /**
     * An {@link Event} or {@link Ack} as BINARY_EVENT or BINARY_ACK, followed on the wire by that many
     * binary messages.
     */
    default String encodeBinary(int attachments) {
        if (!(this instanceof Event || this instanceof Ack)) {
            throw new IllegalStateException("only events and acks carry attachments");
        }
        return encode(attachments);
    }

    private String encode(int attachments) {
        StringBuilder text = new StringBuilder();
        JsonValue payload;
        Long ackId = null;
        if (this instanceof Connect connect) {
            text.append('0');
            payload = connect.auth();
        } else if (this instanceof Disconnect) {
            text.append('1');
            payload = null;
        } else if (this instanceof Event event) {
            text.append(attachments < 0 ? '2' : '5');
            payload = event.data();
            ackId = event.ackId();
        } else if (this instanceof Ack ack) {
            text.append(attachments < 0 ? '3' : '6');
            payload = ack.data();
            ackId = ack.ackId();
        } else {
            text.append('4');
            payload = ((ConnectError) this).data();
        }
        if (attachments >= 0) {
            text.append(attachments).append('-');
        }
        if (!namespace().equals(MAIN)) {
            text.append(namespace()).append(',');
        }
        if (ackId != null) {
            text.append(ackId);
        }
        if (payload != null) {
            text.append(payload);
        }
        return text.toString();
    }
}
