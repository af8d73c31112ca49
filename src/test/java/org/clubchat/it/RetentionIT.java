package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.club.ClubStore;
import org.clubchat.support.Await;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Empty clubs keep their history for the retention time, then are forgotten (here 400 ms). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetentionIT {
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_CLUB_RETENTION", "PT0.4S"));

    @Test
    void emptyClubIsForgottenAfterRetentionAndComesBackWithANewEpoch() {
        ClubStore clubs = server.app().clubs();
        String epoch;
        try (TestClient alice = server.connect("alice")) {
            epoch = alice.join("gone").getString("epoch");
            alice.chat("gone", "first");
        }
        Await.until(Duration.ofSeconds(10), () -> clubs.view("gone").isEmpty(), () -> "club 'gone' is removed");

        try (TestClient bob = server.connect("bob")) {
            bob.send(Json.createObjectBuilder().add("type", "join").add("clubId", "gone").add("since", 1).add("epoch", epoch));
            JsonObject joined = bob.expect("joined");
            assertNotEquals(epoch, joined.getString("epoch"));
            assertEquals(0, joined.getJsonNumber("seq").longValue());
            assertFalse(joined.getBoolean("recovered"));
            bob.assertNoFrame(Duration.ofMillis(200));
            assertEquals(1, bob.chat("gone", "again"), "seqs start again from 1");
        }
    }

    @Test
    void clubWithMembersIsNeverForgotten() {
        ClubStore clubs = server.app().clubs();
        try (TestClient alice = server.connect("alice"); TestClient probe = server.connect("probe")) {
            String epoch = alice.join("kept").getString("epoch");
            alice.chat("kept", "hello");
            // Another club that empties at the same time shows the sweeps have run meanwhile.
            probe.join("marker");
            probe.chat("marker", "tick");
            probe.send(Json.createObjectBuilder().add("type", "leave").add("clubId", "marker"));
            probe.expect("left");
            Await.until(Duration.ofSeconds(10), () -> clubs.view("marker").isEmpty(), () -> "club 'marker' is removed");
            assertTrue(clubs.view("kept").isPresent());
            try (TestClient bob = server.connect("bob")) {
                bob.send(Json.createObjectBuilder().add("type", "join").add("clubId", "kept").add("since", 0).add("epoch", epoch));
                assertTrue(bob.expect("joined").getBoolean("recovered"));
                assertEquals("hello", bob.expect("chat").getString("message"));
            }
        }
    }
}
