package org.clubchat.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Recovery offsets: a client's place in each club, and nothing else accepted as one. */
class OffsetsTest {

    @Test
    void anOffsetHoldsEveryClubsSeqAndEpoch() {
        Map<String, Offsets.Position> positions = new LinkedHashMap<>();
        positions.put("lobby", Offsets.Position.of(41, "k2j9x0"));
        positions.put("team.a-1", Offsets.Position.of(0, "에포크 ~!\"")); // an epoch is opaque: any text
        String offset = Offsets.encode(positions);
        assertEquals(positions, Offsets.decode(offset));
        assertEquals(offset, offset.replaceAll("[^A-Za-z0-9_.~!-]", ""), "nothing to escape in a JSON string");
        assertEquals("v1", Offsets.encode(Map.of()));
        assertEquals(Map.of(), Offsets.decode("v1"));
        assertEquals(Offsets.Position.of(42, "k2j9x0"), Offsets.Position.of(41, "k2j9x0").at(42));
    }

    @Test
    void whatIsNotAnOffsetOfOursIsNone() {
        assertEquals(Map.of("lobby", Offsets.Position.of(1, "e")), Offsets.decode("v1!lobby~1~ZQ"));
        assertNull(Offsets.decode(""));
        assertNull(Offsets.decode("lobby~1~ZQ"), "no version");
        assertNull(Offsets.decode("v1lobby~1~ZQ"));
        assertNull(Offsets.decode("v1!lobby"));
        assertNull(Offsets.decode("v1!lobby~1"));
        assertNull(Offsets.decode("v1!bad club~1~ZQ"));
        assertNull(Offsets.decode("v1!lobby~-1~ZQ"));
        assertNull(Offsets.decode("v1!lobby~1.5~ZQ"));
        assertNull(Offsets.decode("v1!lobby~1~not base64"));
        assertNull(Offsets.decode("v1!lobby~1~ZQ!"));
        assertNull(Offsets.decode("v1!lobby~99999999999999999999~ZQ"));
    }
}
