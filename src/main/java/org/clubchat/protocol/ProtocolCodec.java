package org.clubchat.protocol;

import jakarta.json.Json;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The only place JSON is read or written. Stateless and thread-safe: one instance serves every connection.
 *
 * <p>Decoding applies docs/protocol.md's precedence for the errors it can see from the frame alone
 * ({@code bad_json}, {@code bad_request}, {@code unknown_type}, {@code invalid_club}); the rest depend on
 * server state and belong to the service.
 */
public final class ProtocolCodec {
    static final int MAX_REQUEST_ID_LENGTH = 64;
    /** Deep enough for any unknown field a client adds, shallow enough that nesting costs nothing. */
    static final int MAX_DEPTH = 32;

    private final JsonParserFactory parsers =
            Json.createParserFactory(Map.of("org.eclipse.parsson.maxDepth", MAX_DEPTH));
    private final JsonGeneratorFactory generators = Json.createGeneratorFactory(Map.of());
    private final int maxMessageBytes;

    /**
     * @param maxMessageBytes the largest client message in UTF-8 bytes. Checked here, whatever the
     *                        container enforces, so the limit is exact on every container.
     */
    public ProtocolCodec(int maxMessageBytes) {
        this.maxMessageBytes = maxMessageBytes;
    }

    public DecodeResult decode(String text) {
        if (exceedsUtf8Bytes(text, maxMessageBytes)) {
            return new DecodeResult.TooBig(maxMessageBytes);
        }
        JsonObject frame;
        try (JsonParser parser = parsers.createParser(new StringReader(text))) {
            if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
                return rejected(ErrorCode.BAD_JSON, "the frame is not a JSON object", null);
            }
            frame = parser.getObject();
            if (parser.hasNext()) {
                return rejected(ErrorCode.BAD_JSON, "the frame holds more than one JSON value", null);
            }
        } catch (RuntimeException e) {
            // JsonException for malformed text, but Parsson also throws NumberFormatException (and
            // friends) for valid JSON such as 1e10000000000: any parser failure is the client's bad_json.
            return rejected(ErrorCode.BAD_JSON, "the frame is not valid JSON", null);
        }
        // A number Parsson cannot turn into a BigDecimal surfaces only when a field is read.
        return decode(frame);
    }

    /**
     * A message another wire has already parsed into a JSON object of the same shape (socket.io's
     * events): the same checks as {@link #decode(String)} after the parsing.
     */
    public DecodeResult decode(JsonObject frame) {
        try {
            return decodeObject(frame);
        } catch (RuntimeException e) {
            return rejected(ErrorCode.BAD_REQUEST, "a field could not be read", null);
        }
    }

    private DecodeResult decodeObject(JsonObject frame) {
        JsonValue id = frame.get("id");
        String requestId = null;
        if (id != null) {
            if (!(id instanceof JsonString s) || Names.codePointLength(s.getString()) > MAX_REQUEST_ID_LENGTH
                    || !Names.isWellFormed(s.getString())) {
                return rejected(ErrorCode.BAD_REQUEST, "id must be a string of at most 64 characters", null);
            }
            requestId = s.getString();
        }
        if (!(frame.get("type") instanceof JsonString type)) {
            return rejected(ErrorCode.BAD_REQUEST, "type is required and must be a string", requestId);
        }
        switch (type.getString()) {
            case "join":
                return decodeJoin(frame, requestId);
            case "leave": {
                String clubId = string(frame, "clubId");
                if (clubId == null) {
                    return missing("clubId", requestId);
                }
                return clubChecked(clubId, new ClientMessage.Leave(clubId), requestId);
            }
            case "chat": {
                String clubId = string(frame, "clubId");
                if (clubId == null) {
                    return missing("clubId", requestId);
                }
                String message = string(frame, "message");
                if (message == null) {
                    return missing("message", requestId);
                }
                if (!Names.isWellFormed(message)) {
                    return rejected(ErrorCode.BAD_REQUEST, "message must be Unicode text: it has an unpaired surrogate", requestId);
                }
                String key = null;
                JsonValue keyValue = frame.get("key");
                if (keyValue != null) {
                    if (!(keyValue instanceof JsonString s) || !SendKeys.isValid(s.getString())) {
                        return rejected(ErrorCode.BAD_REQUEST, SendKeys.RULE, requestId);
                    }
                    key = s.getString();
                }
                return clubChecked(clubId, new ClientMessage.Chat(clubId, message, key), requestId);
            }
            case "history":
                return decodeHistory(frame, requestId);
            case "delete":
                return decodeDelete(frame, requestId);
            case "members":
                return decodeMembers(frame, requestId);
            case "auth":
                return new DecodeResult.Decoded(new Inbound(requestId, new ClientMessage.Auth(string(frame, "token"))));
            case "ping":
                return new DecodeResult.Decoded(new Inbound(requestId, ClientMessage.Ping.INSTANCE));
            default:
                return rejected(ErrorCode.UNKNOWN_TYPE, "unknown type: " + abbreviate(type.getString()), requestId);
        }
    }

    private DecodeResult decodeJoin(JsonObject frame, String requestId) {
        String clubId = string(frame, "clubId");
        if (clubId == null) {
            return missing("clubId", requestId);
        }
        OptionalLong since = OptionalLong.empty();
        JsonValue sinceValue = frame.get("since");
        if (sinceValue != null) {
            if (!(sinceValue instanceof JsonNumber number) || !isNonNegativeLong(number)) {
                return rejected(ErrorCode.BAD_REQUEST, "since must be an integer of at least 0", requestId);
            }
            since = OptionalLong.of(number.longValue());
        }
        String epoch = null;
        JsonValue epochValue = frame.get("epoch");
        if (epochValue != null) {
            if (!(epochValue instanceof JsonString s) || !Names.isWellFormed(s.getString())) {
                return rejected(ErrorCode.BAD_REQUEST, "epoch must be a string", requestId);
            }
            epoch = s.getString();
        }
        return clubChecked(clubId, new ClientMessage.Join(clubId, since, epoch), requestId);
    }

    private DecodeResult decodeHistory(JsonObject frame, String requestId) {
        String clubId = string(frame, "clubId");
        if (clubId == null) {
            return missing("clubId", requestId);
        }
        OptionalLong before = OptionalLong.empty();
        JsonValue beforeValue = frame.get("before");
        if (beforeValue != null) {
            if (!(beforeValue instanceof JsonNumber number) || !isNonNegativeLong(number) || number.longValue() < 1) {
                return rejected(ErrorCode.BAD_REQUEST, "before must be an integer of at least 1", requestId);
            }
            before = OptionalLong.of(number.longValue());
        }
        int limit = ClientMessage.History.DEFAULT_LIMIT;
        JsonValue limitValue = frame.get("limit");
        if (limitValue != null) {
            if (!(limitValue instanceof JsonNumber number) || !isNonNegativeLong(number) || number.longValue() < 1
                    || number.longValue() > ClientMessage.History.MAX_LIMIT) {
                return rejected(ErrorCode.BAD_REQUEST, "limit must be an integer from 1 to " + ClientMessage.History.MAX_LIMIT,
                        requestId);
            }
            limit = number.intValue();
        }
        return clubChecked(clubId, new ClientMessage.History(clubId, before, limit), requestId);
    }

    private DecodeResult decodeDelete(JsonObject frame, String requestId) {
        String clubId = string(frame, "clubId");
        if (clubId == null) {
            return missing("clubId", requestId);
        }
        if (!(frame.get("seq") instanceof JsonNumber seq) || !isNonNegativeLong(seq)) {
            return rejected(ErrorCode.BAD_REQUEST, "seq is required and must be an integer of at least 0", requestId);
        }
        return clubChecked(clubId, new ClientMessage.Delete(clubId, seq.longValue()), requestId);
    }

    private DecodeResult decodeMembers(JsonObject frame, String requestId) {
        String clubId = string(frame, "clubId");
        if (clubId == null) {
            return missing("clubId", requestId);
        }
        String after = null;
        JsonValue afterValue = frame.get("after");
        if (afterValue != null) {
            if (!(afterValue instanceof JsonString s) || !Names.isWellFormed(s.getString())) {
                return rejected(ErrorCode.BAD_REQUEST, "after must be a string", requestId);
            }
            after = s.getString();
        }
        int limit = ClientMessage.Members.MAX_LIMIT;
        JsonValue limitValue = frame.get("limit");
        if (limitValue != null) {
            if (!(limitValue instanceof JsonNumber number) || !isNonNegativeLong(number) || number.longValue() < 1
                    || number.longValue() > ClientMessage.Members.MAX_LIMIT) {
                return rejected(ErrorCode.BAD_REQUEST, "limit must be an integer from 1 to " + ClientMessage.Members.MAX_LIMIT,
                        requestId);
            }
            limit = number.intValue();
        }
        return clubChecked(clubId, new ClientMessage.Members(clubId, after, limit), requestId);
    }

    /** Whether the UTF-8 encoding of {@code text} is longer than {@code limit}, without encoding it. */
    static boolean exceedsUtf8Bytes(String text, int limit) {
        int length = text.length();
        if (length <= limit / 3) {
            return false;
        }
        long bytes = 0;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
            if (bytes > limit) {
                return true;
            }
        }
        return false;
    }

    /** Integral (1.0 and 1e2 count) and within 0..Long.MAX_VALUE, without ever expanding a huge exponent. */
    private static boolean isNonNegativeLong(JsonNumber number) {
        BigDecimal value = number.bigDecimalValue();
        if (value.signum() == 0) {
            return true;
        }
        if (value.signum() < 0) {
            return false;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.scale() > 0 || stripped.precision() - stripped.scale() > 19) {
            return false;
        }
        return stripped.toBigIntegerExact().bitLength() < Long.SIZE;
    }

    private static DecodeResult clubChecked(String clubId, ClientMessage message, String requestId) {
        if (!ClubIds.isValid(clubId)) {
            return rejected(ErrorCode.INVALID_CLUB, ClubIds.RULE, requestId);
        }
        return new DecodeResult.Decoded(new Inbound(requestId, message));
    }

    private static String string(JsonObject frame, String field) {
        return frame.get(field) instanceof JsonString s ? s.getString() : null;
    }

    private static DecodeResult missing(String field, String requestId) {
        return rejected(ErrorCode.BAD_REQUEST, field + " is required and must be a string", requestId);
    }

    private static DecodeResult rejected(ErrorCode code, String detail, String requestId) {
        return new DecodeResult.Rejected(code, detail, requestId);
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    /** A frame with no {@code id}: broadcasts, history, and {@code welcome}. */
    public Frame frame(ServerMessage message) {
        return frame(message, null);
    }

    /** A frame that echoes the client's {@code id} (null for none) after {@code type}. */
    public Frame frame(ServerMessage message, String requestId) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator json = generators.createGenerator(out)) {
            json.writeStartObject();
            json.write("type", message.type());
            if (requestId != null) {
                json.write("id", requestId);
            }
            writeFields(json, message);
            json.writeEnd();
        }
        return new Frame(message, requestId, out.toString());
    }

    private static void writeFields(JsonGenerator json, ServerMessage message) {
        if (message instanceof ServerMessage.Welcome m) {
            json.write("sessionId", m.sessionId()).write("name", m.name()).write("protocol", m.protocol());
        } else if (message instanceof ServerMessage.Joined m) {
            json.write("clubId", m.clubId()).writeStartArray("members");
            m.members().forEach(json::write);
            json.writeEnd().write("seq", m.seq()).write("epoch", m.epoch());
            if (m.recovered() != null) {
                json.write("recovered", m.recovered());
            }
            json.write("firstSeq", m.firstSeq()).write("count", m.count());
            if (m.replayFrom() != null) {
                json.write("replayFrom", m.replayFrom());
            }
        } else if (message instanceof ServerMessage.Chat m) {
            json.write("clubId", m.clubId()).write("from", m.from()).write("message", m.message())
                    .write("seq", m.seq()).write("ts", m.ts());
        } else if (message instanceof ServerMessage.History m) {
            json.write("clubId", m.clubId()).writeStartArray("messages");
            for (ServerMessage.Numbered held : m.messages()) {
                json.writeStartObject().write("seq", held.seq());
                if (held instanceof ServerMessage.Chat chat) {
                    json.write("from", chat.from()).write("message", chat.message()).write("ts", chat.ts());
                } else {
                    json.write("deleted", true);
                }
                json.writeEnd();
            }
            json.writeEnd().write("more", m.more());
        } else if (message instanceof ServerMessage.Deleted m) {
            json.write("clubId", m.clubId()).write("seq", m.seq());
        } else if (message instanceof ServerMessage.Members m) {
            json.write("clubId", m.clubId()).writeStartArray("names");
            m.names().forEach(json::write);
            json.writeEnd().write("count", m.count()).write("more", m.more());
        } else if (message instanceof ServerMessage.Count m) {
            json.write("clubId", m.clubId()).write("count", m.count());
        } else if (message instanceof ServerMessage.Ack m) {
            json.write("clubId", m.clubId()).write("seq", m.seq()).write("duplicate", m.duplicate());
        } else if (message instanceof ServerMessage.Presence m) {
            json.write("clubId", m.clubId()).write("event", m.event().wireName()).write("name", m.name());
        } else if (message instanceof ServerMessage.Left m) {
            json.write("clubId", m.clubId());
            if (m.reason() != null) {
                json.write("reason", m.reason());
            }
        } else if (message instanceof ServerMessage.Authed m) {
            json.write("exp", m.exp());
        } else if (message instanceof ServerMessage.Error m) {
            json.write("code", m.code().wireName()).write("message", m.message());
            if (m.retryAfter() != null) {
                json.write("retryAfter", m.retryAfter());
            }
        } else if (!(message instanceof ServerMessage.Pong)) {
            throw new IllegalStateException("unhandled " + message);
        }
    }
}
