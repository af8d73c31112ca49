package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Presence follows distinct names: a name enters with its first connection and goes with its last. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PresenceIT {
    private static final Duration QUIET = Duration.ofMillis(300);
    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void joinIsAnnouncedToOthersButNotToTheJoiner() {
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join("p1");
            bob.join("p1");
            JsonObject presence = alice.expect("presence");
            assertEquals("p1", presence.getString("clubId"));
            assertEquals("join", presence.getString("event"));
            assertEquals("bob", presence.getString("name"));
            bob.assertNoFrame(QUIET);
        }
    }

    @Test
    void secondConnectionOfANameIsNotAnnouncedAndItsLeaveIsNotEither() {
        try (TestClient bob = server.connect("bob"); TestClient alice = server.connect("alice");
                TestClient alice2 = server.connect("alice")) {
            bob.join("p2");
            alice.join("p2");
            assertEquals("join", bob.expect("presence").getString("event"));
            assertEquals(List.of("alice", "bob"), TestClient.members(alice2.join("p2")));
            bob.assertNoFrame(QUIET);

            alice2.close();
            bob.assertNoFrame(QUIET);
            alice.close();
            JsonObject gone = bob.expect("presence");
            assertEquals("leave", gone.getString("event"));
            assertEquals("alice", gone.getString("name"));
        }
    }

    @Test
    void disconnectIsAnnouncedAsLeaveInEveryClub() {
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join("p3a");
            alice.join("p3b");
            bob.join("p3a");
            bob.join("p3b");
            alice.expect("presence");
            alice.expect("presence");
            bob.close();
            JsonObject first = alice.expect("presence");
            JsonObject second = alice.expect("presence");
            assertEquals("leave", first.getString("event"));
            assertEquals("leave", second.getString("event"));
            assertEquals(Set.of("p3a", "p3b"), Set.of(first.getString("clubId"), second.getString("clubId")));
        }
    }

    @Test
    void membersAreDistinctAndInCodePointOrder() {
        // U+FF21 (fullwidth A) sorts before U+1F600 by code point, but after it in UTF-16 order.
        try (TestClient emoji = server.connect("😀"); TestClient wide = server.connect("Ａ");
                TestClient zed = server.connect("Zed"); TestClient zed2 = server.connect("Zed");
                TestClient lower = server.connect("amy")) {
            emoji.join("p4");
            wide.join("p4");
            zed.join("p4");
            zed2.join("p4");
            assertEquals(List.of("Zed", "amy", "Ａ", "😀"), TestClient.members(lower.join("p4")));
        }
    }
}
