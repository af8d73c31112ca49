package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code history} (docs/protocol.md, "Reading back") on the launcher with clubs in memory, history at its
 * default size (100): pages backwards, consecutive and oldest first, {@code more} while older messages are
 * held; members only; bad input answered and the connection kept.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HistoryIT {
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_RATE_PER_SECOND", "1000", "CLUBCHAT_RATE_BURST", "1000"));

    static JsonObjectBuilder history(String club) {
        return Json.createObjectBuilder().add("type", "history").add("clubId", club).add("id", "h");
    }

    /** The seqs of a {@code history} reply, checking each message's text against {@code text}. */
    static List<Long> seqs(JsonObject history) {
        List<Long> seqs = history.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .map(message -> message.getJsonNumber("seq").longValue()).toList();
        for (int i = 1; i < seqs.size(); i++) {
            assertEquals(seqs.get(i - 1) + 1, seqs.get(i), "consecutive, oldest first: " + seqs);
        }
        return seqs;
    }

    static String text(long seq) {
        return "메시지 " + seq + " — café 🎉";
    }

    @Test
    void membersPageBackThroughWhatMemoryHolds() {
        try (TestClient alice = server.connect("앨리스"); TestClient bob = server.connect("bob")) {
            alice.join("paging");
            for (int i = 1; i <= 120; i++) {
                assertEquals(i, alice.chat("paging", text(i)));
            }
            bob.join("paging");
            bob.send(history("paging"));
            JsonObject newest = bob.expect("history");
            assertEquals("h", newest.getString("id"));
            assertEquals("paging", newest.getString("clubId"));
            List<Long> seqs = seqs(newest);
            assertEquals(71, seqs.get(0), "the newest 50 by default");
            assertEquals(120, seqs.get(49));
            assertTrue(newest.getBoolean("more"));
            JsonObject last = newest.getJsonArray("messages").getJsonObject(49);
            assertEquals("앨리스", last.getString("from"));
            assertEquals(text(120), last.getString("message"), "Korean, accents and emoji intact");
            assertTrue(last.getJsonNumber("ts").longValue() > 0);

            bob.send(history("paging").add("before", 71).add("limit", 100));
            JsonObject older = bob.expect("history");
            assertEquals(List.of(21L, 70L), List.of(seqs(older).get(0), seqs(older).get(49)),
                    "memory holds the newest 100: 21 to 70 of the 100 asked for");
            assertFalse(older.getBoolean("more"), "nothing older is held");

            bob.send(history("paging").add("before", 21));
            JsonObject none = bob.expect("history");
            assertEquals(List.of(), seqs(none));
            assertFalse(none.getBoolean("more"));

            bob.send(history("paging").add("before", 1_000_000).add("limit", 3));
            assertEquals(List.of(118L, 119L, 120L), seqs(bob.expect("history")), "before past the club's seq reads the newest");
        }
    }

    @Test
    void aClubWithNothingHeldAnswersNoMessagesAndOnlyMembersMayRead() {
        try (TestClient alice = server.connect("alice"); TestClient eve = server.connect("eve")) {
            alice.join("quiet");
            alice.send(history("quiet"));
            JsonObject empty = alice.expect("history");
            assertEquals(0, empty.getJsonArray("messages").size());
            assertFalse(empty.getBoolean("more"));
            eve.send(history("quiet"));
            assertEquals("h", eve.expectError("not_member").getString("id"));
        }
    }

    @Test
    void badBeforeOrLimitIsBadRequestAndTheConnectionGoesOn() {
        try (TestClient alice = server.connect("alice")) {
            alice.join("strict");
            alice.send(history("strict").add("limit", 101));
            alice.expectError("bad_request");
            alice.send(history("strict").add("before", 0));
            alice.expectError("bad_request");
            alice.send(history("strict").add("before", "ten"));
            alice.expectError("bad_request");
            alice.send(history("strict").add("limit", 0));
            alice.expectError("bad_request");
            assertEquals(1, alice.chat("strict", "still here ✓"));
            alice.send(history("strict"));
            assertEquals(List.of(1L), seqs(alice.expect("history")));
        }
    }
}
