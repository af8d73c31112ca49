package org.clubchat.socketio;

import static org.clubchat.socketio.SocketJson.JSON;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.clubchat.protocol.ClubIds;

/**
 * socket.io's recovery offsets. The client keeps the last argument of the last event it received, if a
 * string, and hands it back when it reconnects; club-chat puts there where the client stands in every club it
 * is in (the last seq and the epoch), so that any node can replay what it missed from club history and no
 * node needs to remember the session. Base64url of a JSON object, so it needs no escaping in an event.
 */
final class Offsets {
    private Offsets() {
    }

    /** Where a client stands in one club. */
    record Position(long seq, String epoch) {
    }

    static String encode(Map<String, Position> positions) {
        JsonObjectBuilder json = JSON.createObjectBuilder();
        positions.forEach((club, position) -> json.add(club, JSON.createArrayBuilder().add(position.seq()).add(position.epoch())));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.build().toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The positions an offset holds; null if it is not one of ours. */
    static Map<String, Position> decode(String offset) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(offset), StandardCharsets.UTF_8);
            JsonObject json = JSON.createReader(new StringReader(text)).readObject();
            Map<String, Position> positions = new LinkedHashMap<>();
            for (Map.Entry<String, JsonValue> club : json.entrySet()) {
                if (!ClubIds.isValid(club.getKey()) || !(club.getValue() instanceof JsonArray entry) || entry.size() != 2
                        || !(entry.get(0) instanceof JsonNumber seq) || !seq.isIntegral() || seq.longValueExact() < 0
                        || !(entry.get(1) instanceof JsonString epoch)) {
                    return null;
                }
                positions.put(club.getKey(), new Position(seq.longValueExact(), epoch.getString()));
            }
            return positions;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
