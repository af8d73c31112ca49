package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Exactly-once sends with {@code chat.key} (docs/protocol.md, rev 2) on the default, in-memory server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExactlyOnceIT {
    private static final AtomicInteger CLUBS = new AtomicInteger();
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of());

    static JsonObjectBuilder keyed(String club, String message, String key, String id) {
        return Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", message).add("key", key).add("id", id);
    }

    /**
     * Two connections of one sender send the same {@code keys} keyed chats at once; returns how many of
     * the acks are not duplicates (exactly-once means {@code keys}).
     */
    static int raceKeys(TestClient first, TestClient second, String club, int keys) {
        for (int i = 0; i < keys; i++) {
            first.send(keyed(club, "race " + i, "r" + i, "a" + i));
            second.send(keyed(club, "race " + i, "r" + i, "b" + i));
        }
        int fresh = 0;
        for (TestClient sender : List.of(first, second)) {
            for (int i = 0; i < keys; i++) {
                fresh += sender.expectSkipping("ack", "chat").getBoolean("duplicate") ? 0 : 1;
            }
        }
        return fresh;
    }

    private static String freshClub() {
        return "once" + CLUBS.incrementAndGet();
    }

    @Test
    void resendAfterADroppedConnectionIsStoredOnce() {
        String club = freshClub();
        try (TestClient bob = server.connect("bob")) {
            bob.join(club);
            TestClient alice = server.connect("alice");
            alice.join(club);
            alice.send(keyed(club, "déjà vu 🔁", "k-1", "first"));
            long seq = alice.expect("ack").getJsonNumber("seq").longValue();
            alice.abort();

            try (TestClient again = server.connect("alice")) {
                again.join(club);
                again.send(keyed(club, "déjà vu 🔁", "k-1", "resend"));
                JsonObject ack = again.expect("ack");
                assertEquals("resend", ack.getString("id"));
                assertEquals(seq, ack.getJsonNumber("seq").longValue(), "the original seq");
                assertTrue(ack.getBoolean("duplicate"));
                again.send(keyed(club, "new", "k-2", "next"));
                JsonObject next = again.expect("ack");
                assertFalse(next.getBoolean("duplicate"));
                assertEquals(seq + 1, next.getJsonNumber("seq").longValue(), "the duplicate used no seq");
            }
            List<String> seen = bob.frames("chat", 2).stream().map(chat -> chat.getString("message")).toList();
            assertEquals(List.of("déjà vu 🔁", "new"), seen, "bob got the resent message once");
        }
    }

    @Test
    void twoConnectionsOfOneSenderRacingOneKeyStoreItOnce() {
        String club = freshClub();
        try (TestClient bob = server.connect("bob"); TestClient laptop = server.connect("alice");
                TestClient phone = server.connect("alice")) {
            bob.join(club);
            laptop.join(club);
            phone.join(club);
            assertEquals(20, raceKeys(laptop, phone, club, 20), "each key stored by exactly one of the two");
            assertEquals(20, bob.frames("chat", 20).size());
            bob.assertNoFrame(Duration.ofMillis(300));
        }
    }

    @Test
    void aKeyIsPerClubAndPerSender() {
        String club = freshClub();
        String other = freshClub();
        try (TestClient alice = server.connect("alice"); TestClient carol = server.connect("carol")) {
            alice.join(club);
            alice.join(other);
            carol.join(club);
            alice.expect("presence");
            alice.send(keyed(club, "one", "same", "a1"));
            assertFalse(alice.expect("ack").getBoolean("duplicate"));
            alice.send(keyed(other, "one", "same", "a2"));
            assertFalse(alice.expect("ack").getBoolean("duplicate"), "another club");
            carol.expect("chat");
            carol.send(keyed(club, "one", "same", "c1"));
            assertFalse(carol.expect("ack").getBoolean("duplicate"), "another sender");
        }
    }

    @Test
    void malformedKeyIsBadRequestAndTheConnectionGoesOn() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice")) {
            alice.join(club);
            alice.send("{\"type\":\"chat\",\"clubId\":\"" + club + "\",\"message\":\"m\",\"key\":\"" + "k".repeat(65) + "\",\"id\":\"x\"}");
            assertEquals("x", alice.expectError("bad_request").getString("id"));
            alice.send("{\"type\":\"chat\",\"clubId\":\"" + club + "\",\"message\":\"m\",\"key\":42}");
            alice.expectError("bad_request");
            assertEquals(1, alice.chat(club, "still here"), "nothing was stored for the bad ones");
        }
    }
}
