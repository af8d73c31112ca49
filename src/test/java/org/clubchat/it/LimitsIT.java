package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The per-connection rate limit, the flood close, the club limit and the connection limit. The rate is
 * one message a second with a burst of 5, so a test controls exactly which message goes over.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsIT {
    private static final int BURST = 5;
    private static final int FLOOD_TOLERANCE = 20;
    private static final int MAX_CLUBS = 3;
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of(
            "CLUBCHAT_RATE_PER_SECOND", "1",
            "CLUBCHAT_RATE_BURST", String.valueOf(BURST),
            "CLUBCHAT_RATE_FLOOD_TOLERANCE", String.valueOf(FLOOD_TOLERANCE),
            "CLUBCHAT_CLUBS_MAX", String.valueOf(MAX_CLUBS)));

    @Test
    void messagesOverTheRateGetRateLimitedAndAreNotDelivered() {
        int sent = BURST + 3;
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join("rate");
            bob.join("rate");
            alice.expect("presence");
            for (int i = 1; i <= sent; i++) {
                alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "rate").add("message", "m" + i)
                        .add("id", "m" + i));
            }
            List<String> delivered = new ArrayList<>();
            int limited = 0;
            for (int i = 1; i <= sent; i++) {
                JsonObject reply = alice.next();
                assertEquals("m" + i, reply.getString("id"));
                if ("ack".equals(reply.getString("type"))) {
                    delivered.add("m" + i);
                } else {
                    assertEquals("rate_limited", reply.getString("code"), reply::toString);
                    limited++;
                }
            }
            assertTrue(limited >= 2, limited + " of " + sent + " limited");
            for (String message : delivered) {
                assertEquals(message, bob.expect("chat").getString("message"));
            }
            bob.assertNoFrame(Duration.ofMillis(300));
        }
    }

    @Test
    void badFrameOverTheRateKeepsItsOwnErrorAndAPingIsNeverRefused() {
        try (TestClient alice = server.connect("alice")) {
            for (int i = 0; i < BURST; i++) {
                alice.send(chatTo("nowhere"));
                alice.expectError("not_member");
            }
            alice.send("{not json");
            alice.send(chatTo("nowhere"));
            alice.send("{\"type\":\"ping\"}");
            alice.expectError("bad_json");
            JsonObject limited = alice.expectError("rate_limited");
            alice.expect("pong");
            long retryAfter = limited.getJsonNumber("retryAfter").longValue();
            assertTrue(retryAfter > 0 && retryAfter <= 1000, () -> "one message a second: " + limited);
        }
    }

    @Test
    void connectionThatKeepsFloodingAfterBeingToldIsClosedWith1008() {
        try (TestClient flooder = server.connect("flooder"); TestClient bystander = server.connect("bystander")) {
            int refused = 0;
            // Each chat after the reply to the one before: a client that reads its rate_limited and goes on.
            // Past the second in which a client may not have read it yet, every refusal counts.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                flooder.sendExpectingClose(chatTo("nowhere").build().toString());
                JsonObject frame = flooder.nextOrClosed();
                if (frame == null) {
                    break;
                }
                if ("rate_limited".equals(frame.getString("code"))) {
                    refused++;
                }
            }
            assertEquals(1008, flooder.awaitClose().code());
            assertTrue(refused >= FLOOD_TOLERANCE - 2, "told " + refused + " times before the close");
            bystander.send("{\"type\":\"ping\"}");
            bystander.expect("pong");
        }
    }

    private static JsonObjectBuilder chatTo(String club) {
        return Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", "m");
    }

    @Test
    void joiningPastTheClubLimitGetsTooManyClubs() {
        try (TestClient alice = server.connect("alice")) {
            for (int i = 1; i <= MAX_CLUBS; i++) {
                alice.join("many" + i);
            }
            alice.send(Json.createObjectBuilder().add("type", "join").add("clubId", "many-more"));
            alice.expectError("too_many_clubs");
        }
        try (TestClient bob = server.connect("bob")) {
            for (int i = 1; i <= MAX_CLUBS; i++) {
                bob.join("again" + i);
            }
            bob.join("again1");
        }
    }
}
