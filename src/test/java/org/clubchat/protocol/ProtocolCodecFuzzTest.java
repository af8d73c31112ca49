package org.clubchat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * Any frame a client can send gets a result, never an exception, and what a decoded chat becomes on the
 * wire reads back as the same message. Regression inputs: {@code ProtocolCodecFuzzTestInputs/} in the
 * test resources; fuzz for longer with the README's command.
 */
class ProtocolCodecFuzzTest {
    private static final int MAX_BYTES = 4096;
    private final ProtocolCodec codec = new ProtocolCodec(MAX_BYTES);

    @FuzzTest(maxDuration = "20s")
    void everyFrameGetsAResult(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        DecodeResult result = codec.decode(text);
        assertNotNull(result);
        if (result instanceof DecodeResult.Rejected rejected) {
            assertNotNull(rejected.code());
            if (rejected.requestId() != null) {
                assertTrue(Names.isWellFormed(rejected.requestId()));
            }
        } else if (result instanceof DecodeResult.Decoded decoded
                && decoded.inbound().body() instanceof ClientMessage.Chat chat) {
            Frame frame = codec.frame(new ServerMessage.Chat(chat.clubId(), "from", chat.message(), 1, 2), decoded.inbound().requestId());
            JsonObject read = Json.createReader(new StringReader(frame.text())).readObject();
            assertEquals(chat.message(), read.getString("message"));
            assertEquals(frame.text().getBytes(StandardCharsets.UTF_8).length, frame.wireBytes());
        }
    }
}
