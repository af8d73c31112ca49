package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Await;
import org.clubchat.support.RawWebSocket;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A member that stops reading while its club chats at full speed: it alone is closed with 1013 once its
 * outbox passes the bound, and the members who read receive every message, in order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowConsumerIT {
    private static final int MESSAGES = 6_000;
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of(
            "CLUBCHAT_OUTBOX_MAX_BYTES", "65536",
            "CLUBCHAT_RATE_PER_SECOND", "1000000",
            "CLUBCHAT_RATE_BURST", "1000000"));

    @Test
    void slowMemberAloneIsClosedWith1013AndTheOthersGetEverything() throws Exception {
        String text = "x".repeat(1_000);
        try (RawWebSocket slow = new RawWebSocket(server.port(), "/chat?name=slow", 4096);
                TestClient fast = server.connect("fast");
                TestClient sender = server.connect("sender")) {
            fast.join("busy");
            slow.sendText("{\"type\":\"join\",\"clubId\":\"busy\"}");
            fast.expect("presence");
            sender.join("busy");
            fast.expect("presence");
            int before = server.app().gateway().openConnections();

            for (int i = 1; i <= MESSAGES; i++) {
                sender.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "busy").add("message", text));
            }
            boolean slowLeft = false;
            long expectedSeq = 1;
            while (expectedSeq <= MESSAGES) {
                JsonObject frame = fast.next();
                if ("presence".equals(frame.getString("type"))) {
                    assertEquals("slow", frame.getString("name"));
                    assertEquals("leave", frame.getString("event"));
                    slowLeft = true;
                } else {
                    assertEquals(expectedSeq++, frame.getJsonNumber("seq").longValue(), "gapless, in order");
                }
            }
            for (int i = 1; i <= MESSAGES; i++) {
                JsonObject reply = sender.next();
                if ("presence".equals(reply.getString("type"))) {
                    reply = sender.next();
                }
                assertEquals(i, reply.getJsonNumber("seq").longValue(), reply::toString);
            }
            if (!slowLeft) {
                assertEquals("leave", fast.expect("presence").getString("event"));
            }
            Await.until(Duration.ofSeconds(10), () -> server.app().gateway().openConnections() == before - 1,
                    () -> "the slow connection is released");
            assertEquals(1013, slow.awaitCloseCode(), "after what it had been sent, the slow one finds a 1013");
            assertTrue(sender.chat("busy", "after") > MESSAGES);
        }
    }
}
