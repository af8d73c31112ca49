package org.clubchat.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Recovery offsets: a client's place in each club, and nothing else accepted as one. */
class OffsetsTest {

    @Test
    void anOffsetHoldsEveryClubsSeqAndEpoch() {
        Map<String, Offsets.Position> positions = new LinkedHashMap<>();
        positions.put("lobby", new Offsets.Position(41, "k2j9x0"));
        positions.put("team.a-1", new Offsets.Position(0, "zz"));
        String offset = Offsets.encode(positions);
        assertEquals(positions, Offsets.decode(offset));
        assertEquals(Map.of(), Offsets.decode(Offsets.encode(Map.of())));
    }

    @Test
    void whatIsNotAnOffsetOfOursIsNone() {
        assertNull(Offsets.decode("not base64 !"));
        assertNull(Offsets.decode(base64url("[1,2]")));
        assertNull(Offsets.decode(base64url("{\"bad club!\":[1,\"e\"]}")));
        assertNull(Offsets.decode(base64url("{\"lobby\":[-1,\"e\"]}")));
        assertNull(Offsets.decode(base64url("{\"lobby\":[1.5,\"e\"]}")));
        assertNull(Offsets.decode(base64url("{\"lobby\":[1]}")));
        assertNull(Offsets.decode("0-1"));
    }

    private static String base64url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
