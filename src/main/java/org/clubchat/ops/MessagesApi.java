package org.clubchat.ops;

import static org.clubchat.ops.OpsApi.badRequest;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.StringReader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalLong;
import org.clubchat.club.ClubStore;
import org.clubchat.club.Deletion;
import org.clubchat.club.Erasure;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ClubIds;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;

/**
 * The operations API on a club's messages, for {@link OpsApi}: reading them (forward with {@code since},
 * back with {@code before}), deleting one, and erasing a person's (docs/operations.md). Stateless.
 */
final class MessagesApi {
    private final ClubStore clubs;
    private final ProtocolCodec codec;

    MessagesApi(ClubStore clubs, ProtocolCodec codec) {
        this.clubs = clubs;
        this.codec = codec;
    }

    /**
     * The club's history after {@code ?since=} (default 0), as the {@code chat} frames a member would get;
     * or, with {@code ?before=} or {@code ?limit=}, a page read back as {@code history} reads it.
     */
    OpsResponse history(String clubId, String query) {
        if (!ClubIds.isValid(clubId)) {
            return badRequest(ErrorCode.INVALID_CLUB, ClubIds.RULE);
        }
        String before = queryParameter(query, "before");
        String limit = queryParameter(query, "limit");
        if (before != null || limit != null) {
            return readBack(clubId, before, limit, queryParameter(query, "since") != null);
        }
        long since = 0;
        String value = queryParameter(query, "since");
        if (value != null) {
            try {
                since = Long.parseLong(value);
            } catch (NumberFormatException e) {
                since = -1;
            }
            if (since < 0) {
                return badRequest(ErrorCode.BAD_REQUEST, "since must be an integer of at least 0");
            }
        }
        JsonArrayBuilder chats = Json.createArrayBuilder();
        for (ServerMessage.Numbered held : clubs.messagesAfter(clubId, since)) {
            chats.add(Json.createReader(new StringReader(codec.frame(held).text())).readObject());
        }
        return new OpsResponse(200, OpsApi.JSON, Map.of("Cache-Control", "no-store"),
                Json.createObjectBuilder().add("clubId", clubId).add("messages", chats).build().toString());
    }

    /** A page of the club's stored messages below {@code before} (the newest without it), as {@code history} answers. */
    private OpsResponse readBack(String clubId, String before, String limit, boolean since) {
        if (since) {
            return badRequest(ErrorCode.BAD_REQUEST, "since reads forward, before and limit read back: not both");
        }
        long beforeSeq = before == null ? 0 : positiveInteger(before);
        if (beforeSeq < 1 && before != null) {
            return badRequest(ErrorCode.BAD_REQUEST, "before must be an integer of at least 1");
        }
        long pageSize = limit == null ? ClientMessage.History.DEFAULT_LIMIT : positiveInteger(limit);
        if (pageSize < 1 || pageSize > ClientMessage.History.MAX_LIMIT) {
            return badRequest(ErrorCode.BAD_REQUEST, "limit must be an integer from 1 to " + ClientMessage.History.MAX_LIMIT);
        }
        ServerMessage.History page = clubs.readBack(new ClientMessage.History(clubId,
                before == null ? OptionalLong.empty() : OptionalLong.of(beforeSeq), (int) pageSize));
        JsonObject read = Json.createReader(new StringReader(codec.frame(page).text())).readObject();
        return new OpsResponse(200, OpsApi.JSON, Map.of("Cache-Control", "no-store"),
                Json.createObjectBuilder(read).remove("type").build().toString());
    }

    /** The value as a positive integer, or 0 when it is not one. */
    private static long positiveInteger(String value) {
        try {
            return Math.max(0, Long.parseLong(value));
        } catch (NumberFormatException e) {
            return 0;
        }
    }


    /** The first value of a query parameter, URL-decoded, or null. */
    private static String queryParameter(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8).equals(name)) {
                return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** Deletes message {@code seq} of the club, whoever sent it; its members on every node are told. */
    OpsResponse delete(String clubId, String seqText) {
        if (!ClubIds.isValid(clubId)) {
            return badRequest(ErrorCode.INVALID_CLUB, ClubIds.RULE);
        }
        long seq = positiveInteger(seqText);
        if (seq < 1) {
            return badRequest(ErrorCode.BAD_REQUEST, "the seq must be an integer of at least 1");
        }
        Deletion outcome = clubs.delete(clubId, seq);
        if (outcome == Deletion.NOT_FOUND) {
            return new OpsResponse(404, OpsApi.JSON, Map.of(),
                    OpsApi.error(ErrorCode.NOT_FOUND.wireName(), "club " + clubId + " holds no message " + seq).toString());
        }
        return new OpsResponse(200, OpsApi.JSON, Map.of(), Json.createObjectBuilder().add("clubId", clubId).add("seq", seq)
                .add("deleted", true).add("already", outcome == Deletion.ALREADY_DELETED).build().toString());
    }

    /** Deletes every message of a {@code sub} or a {@code name} in every club, and says how many. */
    OpsResponse erase(String body) {
        JsonObject json;
        try {
            json = Json.createReader(new StringReader(body)).readObject();
        } catch (RuntimeException e) {
            return badRequest(ErrorCode.BAD_JSON, "the body must be a JSON object");
        }
        boolean bySub = json.containsKey("sub");
        if (bySub == json.containsKey("name")) {
            return badRequest(ErrorCode.BAD_REQUEST, "give one of sub and name, not both and not neither");
        }
        String field = bySub ? "sub" : "name";
        if (!(json.get(field) instanceof JsonString value) || value.getString().isEmpty()) {
            return badRequest(ErrorCode.BAD_REQUEST, field + " must be a string that is not empty");
        }
        long erased = clubs.erase(bySub ? Erasure.ofSub(value.getString()) : Erasure.ofName(value.getString()));
        return new OpsResponse(200, OpsApi.JSON, Map.of(), Json.createObjectBuilder().add(field, value.getString())
                .add("erased", erased).build().toString());
    }
}
