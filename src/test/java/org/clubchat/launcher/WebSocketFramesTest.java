package org.clubchat.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

/** RFC 6455 server text frames at each length encoding, made once per frame. */
class WebSocketFramesTest {

    private static Frame frameOf(String text) {
        return new Frame(ServerMessage.Pong.INSTANCE, text);
    }

    @Test
    void lengthsUpTo125FitTheFirstLengthByte() {
        byte[] bytes = frameOf("x".repeat(125)).encoded(WebSocketFrames.TEXT);
        assertEquals(2 + 125, bytes.length);
        assertEquals((byte) 0x81, bytes[0], "FIN and text");
        assertEquals(125, bytes[1], "unmasked, 7-bit length");
    }

    @Test
    void lengthsFrom126TakeTwoMoreBytes() {
        byte[] bytes = frameOf("x".repeat(65_535)).encoded(WebSocketFrames.TEXT);
        assertEquals(4 + 65_535, bytes.length);
        assertEquals(126, bytes[1]);
        assertEquals(0xFF, bytes[2] & 0xFF);
        assertEquals(0xFF, bytes[3] & 0xFF);
    }

    @Test
    void lengthsFrom65536TakeEightMoreBytes() {
        byte[] bytes = frameOf("x".repeat(65_536)).encoded(WebSocketFrames.TEXT);
        assertEquals(10 + 65_536, bytes.length);
        assertEquals(127, bytes[1]);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 1, 0, 0}, Arrays.copyOfRange(bytes, 2, 10));
    }

    @Test
    void thePayloadIsTheTextInUtf8AndIsMadeOncePerFrame() {
        String text = "김민준 é 🎉";
        Frame frame = frameOf(text);
        byte[] bytes = frame.encoded(WebSocketFrames.TEXT);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertEquals(utf8.length, bytes[1]);
        assertArrayEquals(utf8, Arrays.copyOfRange(bytes, 2, bytes.length));
        assertSame(bytes, frame.encoded(WebSocketFrames.TEXT), "shared by every recipient");
    }

    @Test
    void eachEncodingKeepsItsOwnForm() {
        Frame frame = frameOf("hi");
        Frame.Encoding<String> shouting = f -> f.text().toUpperCase();
        assertEquals("HI", frame.encoded(shouting));
        assertEquals(4, frame.encoded(WebSocketFrames.TEXT).length);
        assertEquals("HI", frame.encoded(shouting));
    }
}
