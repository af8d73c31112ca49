package org.clubchat.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The examples of the socketio/socket.io-protocol specification ("Packet encoding"), both ways. */
class SocketPacketTest {

    private static SocketPacket valid(String text) {
        return assertInstanceOf(SocketPacket.Valid.class, SocketPacket.decode(text), text).packet();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", "4{\"message\":\"Not authorized\"}",
        "2[\"foo\"]", "2/admin,[\"bar\"]", "212[\"foo\"]", "3/admin,13[\"bar\"]", "1", "1/admin,",
        "2[\"chat\",{\"clubId\":\"클럽\",\"message\":\"안녕 👋\"}]", "30[]"})
    void specificationExamplesDecodeAndEncodeBackToTheSameText(String text) {
        assertEquals(text, valid(text).encode());
    }

    @Test
    void fieldsAreReadAsTheSpecificationSays() {
        var connect = (SocketPacket.Connect) valid("0{\"token\":\"t\"}");
        assertEquals("/", connect.namespace());
        assertEquals("t", connect.auth().getString("token"));
        assertNull(((SocketPacket.Connect) valid("0")).auth());
        var event = (SocketPacket.Event) valid("212[\"foo\",1]");
        assertEquals(12L, event.ackId());
        assertEquals("foo", event.name());
        var ack = (SocketPacket.Ack) valid("3/admin,13[\"bar\"]");
        assertEquals("/admin", ack.namespace());
        assertEquals(13, ack.ackId());
    }

    @Test
    void serverPacketsEncodeAsTheClientExpects() {
        assertEquals("0{\"sid\":\"abc\"}", new SocketPacket.Connect("/", Json.createObjectBuilder().add("sid", "abc").build()).encode());
        assertEquals("3/x,7[{\"seq\":1}]", new SocketPacket.Ack("/x", Json.createArrayBuilder()
                .add(Json.createObjectBuilder().add("seq", 1)).build(), 7).encode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "7", "x", "2", "2{}", "2[]", "2[1]", "2[\"a\"", "2[\"a\"]x", "3[\"no id\"]", "0[]",
        "1{}", "4[]", "29007199254740992[\"too big\"]"})
    void invalidPacketsAreInvalid(String text) {
        assertInstanceOf(SocketPacket.Invalid.class, SocketPacket.decode(text), text);
    }

    @Test
    void binaryPacketsAreRecognisedAsSuch() {
        SocketPacket.Binary event = assertInstanceOf(SocketPacket.Binary.class,
                SocketPacket.decode("51-[\"baz\",{\"_placeholder\":true,\"num\":0}]"));
        assertEquals(1, event.attachments());
        assertEquals("51-[\"baz\",{\"_placeholder\":true,\"num\":0}]", event.packet().encodeBinary(1));
        SocketPacket.Binary ack = assertInstanceOf(SocketPacket.Binary.class,
                SocketPacket.decode("62-/admin,15[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]"));
        assertEquals(2, ack.attachments());
        assertEquals(15, ((SocketPacket.Ack) ack.packet()).ackId());
        assertEquals("/admin", ack.packet().namespace());
        assertInstanceOf(SocketPacket.Invalid.class, SocketPacket.decode("5-[\"baz\"]"));
    }
}
