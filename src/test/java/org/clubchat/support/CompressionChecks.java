package org.clubchat.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;

/** What a browser-like client that offered permessage-deflate must see, whether the server took it or not. */
public final class CompressionChecks {
    public static final String TEXT = "압축 — café ☕ 🎉 ".repeat(20);

    private CompressionChecks() {
    }

    /** {@code client} joins {@code club}; a chat of {@code peer} in Korean, accents and emoji reaches it intact. */
    public static void chatArrivesIntact(RawWebSocket client, TestClient peer, String club) throws IOException {
        assertEquals("welcome", next(client, "welcome").getString("type"));
        client.sendText("{\"type\":\"join\",\"clubId\":\"" + club + "\"}");
        next(client, "joined");
        peer.join(club);
        peer.chatAmidPresence(club, TEXT);
        assertEquals(TEXT, next(client, "chat").getString("message"));
    }

    private static JsonObject next(RawWebSocket client, String type) throws IOException {
        while (true) {
            JsonObject frame = Json.createReader(new StringReader(client.nextText())).readObject();
            if (frame.getString("type").equals(type)) {
                return frame;
            }
        }
    }
}
