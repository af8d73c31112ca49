package org.clubchat.socketio;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.clubchat.protocol.ClubIds;

/**
 * socket.io's recovery offsets. The client keeps the last argument of the last event it received, if a
 * string, and hands it back when it reconnects; club-chat puts there where the client stands in every club it
 * is in (the last seq and the epoch), so that any node can replay what it missed from club history and no
 * node needs to remember the session.
 *
 * <p>An offset is made for every delivery, and differs per client, so it is plain text rather than JSON:
 * {@code v1}, then {@code !club~seq~epoch} per club, the epoch in base64url. None of those characters
 * needs escaping in a JSON string, and neither separator can occur in a club id, a seq or base64url. Never
 * empty, so that a client that tests the offset for truth keeps it.
 */
final class Offsets {
    private static final String VERSION = "v1";
    private static final char FIELD = '~';
    private static final char CLUB = '!';

    private Offsets() {
    }

    /** Where a client stands in one club; {@code epochText} is the epoch as the offset writes it. */
    record Position(long seq, String epoch, String epochText) {
        static Position of(long seq, String epoch) {
            return new Position(seq, epoch, Base64.getUrlEncoder().withoutPadding().encodeToString(epoch.getBytes(StandardCharsets.UTF_8)));
        }

        Position at(long laterSeq) {
            return new Position(laterSeq, epoch, epochText);
        }
    }

    static String encode(Map<String, Position> positions) {
        StringBuilder offset = new StringBuilder(VERSION.length() + 32 * positions.size()).append(VERSION);
        positions.forEach((club, position) ->
                offset.append(CLUB).append(club).append(FIELD).append(position.seq()).append(FIELD).append(position.epochText()));
        return offset.toString();
    }

    /** The positions an offset holds; null if it is not one of ours. */
    static Map<String, Position> decode(String offset) {
        Map<String, Position> positions = new LinkedHashMap<>();
        if (!offset.startsWith(VERSION)) {
            return null;
        }
        if (offset.length() == VERSION.length()) {
            return positions;
        }
        if (offset.charAt(VERSION.length()) != CLUB) {
            return null;
        }
        try {
            for (String entry : offset.substring(VERSION.length() + 1).split(String.valueOf(CLUB), -1)) {
                String[] fields = entry.split(String.valueOf(FIELD), -1);
                if (fields.length != 3 || !ClubIds.isValid(fields[0]) || !fields[1].matches("\\d{1,18}")) {
                    return null;
                }
                String epoch = new String(Base64.getUrlDecoder().decode(fields[2]), StandardCharsets.UTF_8);
                positions.put(fields[0], Position.of(Long.parseLong(fields[1]), epoch));
            }
            return positions;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
