package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No client can make the server hold clubs without end: a club nobody wrote in is forgotten when its last
 * member leaves, and the server holds at most CLUBCHAT_CLUBS_HELD_MAX clubs (here 3).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeldClubsIT {
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_CLUBS_HELD_MAX", "3"));

    @Test
    void joinAndLeavePairsLeaveNothingBehindAndANewClubPastTheLimitIsUnavailable() {
        try (TestClient mallory = server.connect("mallory")) {
            for (int i = 0; i < 60; i++) {
                mallory.join("pair-" + i);
                mallory.send(Json.createObjectBuilder().add("type", "leave").add("clubId", "pair-" + i));
                mallory.expect("left");
            }
        }
        assertEquals(0, server.app().clubs().size(), "sixty clubs joined and left, none held");
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            for (int i = 0; i < 3; i++) {
                alice.join("kept-" + i);
                alice.chat("kept-" + i, "안녕 " + i);
            }
            alice.send(Json.createObjectBuilder().add("type", "join").add("clubId", "one-too-many").add("id", "j"));
            assertEquals("j", alice.expectError("unavailable").getString("id"));
            assertEquals(1, bob.join("kept-0").getJsonNumber("seq").longValue(), "a club it holds still takes joins");
            assertEquals("bob", alice.expect("presence").getString("name"));
        }
    }
}
