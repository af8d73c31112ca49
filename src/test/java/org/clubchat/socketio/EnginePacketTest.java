package org.clubchat.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Engine.IO 4 packets and long-polling bodies, as the socketio/engine.io-protocol specification shows them. */
class EnginePacketTest {

    @Test
    void packetsAreATypeDigitAndTheirData() {
        assertEquals(new EnginePacket(EnginePacket.Type.MESSAGE, "2[\"chat\"]"),
                assertInstanceOf(EnginePacket.Valid.class, EnginePacket.decode("42[\"chat\"]")).packet());
        assertEquals(new EnginePacket(EnginePacket.Type.PING, "probe"),
                assertInstanceOf(EnginePacket.Valid.class, EnginePacket.decode("2probe")).packet());
        assertEquals("3probe", new EnginePacket(EnginePacket.Type.PONG, "probe").encode());
        assertEquals("6", EnginePacket.of(EnginePacket.Type.NOOP).encode());
        assertInstanceOf(EnginePacket.Binary.class, EnginePacket.decode("bAQIDBA=="));
        assertInstanceOf(EnginePacket.Invalid.class, EnginePacket.decode("7"));
        assertInstanceOf(EnginePacket.Invalid.class, EnginePacket.decode(""));
    }

    @Test
    void longPollingBodiesJoinPacketsWithTheRecordSeparator() {
        String body = "4hello\u001e2\u001e4안녕 👋";
        assertEquals(List.of("4hello", "2", "4안녕 👋"), EnginePacket.split(body));
        assertEquals(body, EnginePacket.join(List.of(EnginePacket.message("hello"), EnginePacket.of(EnginePacket.Type.PING),
                EnginePacket.message("안녕 👋"))));
        assertEquals(List.of("4x"), EnginePacket.split("4x"));
    }
}
