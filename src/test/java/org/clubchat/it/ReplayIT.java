package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clubchat.support.Await;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Replay with {@code since} and {@code epoch}, in each case of docs/protocol.md, with a history of 5. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplayIT {
    private static final int HISTORY = 5;
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final AtomicInteger CLUBS = new AtomicInteger();
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_HISTORY_SIZE", String.valueOf(HISTORY)));

    /** A club with {@code count} messages from alice, who has left it again; returns its epoch. */
    private static String clubWithMessages(String club, int count) {
        String epoch;
        try (TestClient alice = server.connect("alice")) {
            epoch = alice.join(club).getString("epoch");
            for (int i = 1; i <= count; i++) {
                assertEquals(i, alice.chat(club, "m" + i));
            }
        }
        // The server handles a close on its own thread: wait until alice is out before anyone joins.
        Await.until(Duration.ofSeconds(10),
                () -> server.app().clubs().view(club).map(view -> view.members().isEmpty()).orElse(true),
                () -> "alice has left " + club);
        return epoch;
    }

    private static JsonObjectBuilder join(String club, long since) {
        return Json.createObjectBuilder().add("type", "join").add("clubId", club).add("since", since);
    }

    private static List<Long> chatSeqs(TestClient client, String club, int count) {
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            JsonObject chat = client.expect("chat");
            assertEquals(club, chat.getString("clubId"));
            seqs.add(chat.getJsonNumber("seq").longValue());
        }
        client.assertNoFrame(QUIET);
        return seqs;
    }

    @Test
    void sameEpochWithEverythingInHistoryReplaysTheMissedMessagesAndRecovers() {
        String club = "r" + CLUBS.incrementAndGet();
        String epoch = clubWithMessages(club, 4);
        try (TestClient bob = server.connect("bob")) {
            bob.send(join(club, 2).add("epoch", epoch).add("id", "rj"));
            JsonObject joined = bob.expect("joined");
            assertTrue(joined.getBoolean("recovered"));
            assertEquals(4, joined.getJsonNumber("seq").longValue());
            assertEquals("rj", joined.getString("id"));
            JsonObject third = bob.expect("chat");
            assertEquals("m3", third.getString("message"));
            assertEquals("alice", third.getString("from"));
            assertEquals(List.of(4L), chatSeqs(bob, club, 1));
        }
    }

    @Test
    void replayedMessagesKeepTheirOriginalTimestamp() {
        String club = "r" + CLUBS.incrementAndGet();
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            alice.chat(club, "once");
            long liveTs = bob.expect("chat").getJsonNumber("ts").longValue();
            bob.send(join(club, 0));
            bob.expect("joined");
            assertEquals(liveTs, bob.expect("chat").getJsonNumber("ts").longValue());
        }
    }

    @Test
    void sinceEqualToTheClubSeqReplaysNothingAndRecovers() {
        String club = "r" + CLUBS.incrementAndGet();
        String epoch = clubWithMessages(club, 3);
        try (TestClient bob = server.connect("bob")) {
            bob.send(join(club, 3).add("epoch", epoch));
            assertTrue(bob.expect("joined").getBoolean("recovered"));
            bob.assertNoFrame(QUIET);
        }
    }

    @Test
    void sameEpochWithMessagesNoLongerInHistoryReplaysWhatIsHeldAndDoesNotRecover() {
        String club = "r" + CLUBS.incrementAndGet();
        String epoch = clubWithMessages(club, 8);
        try (TestClient bob = server.connect("bob")) {
            bob.send(join(club, 1).add("epoch", epoch));
            assertFalse(bob.expect("joined").getBoolean("recovered"));
            assertEquals(List.of(4L, 5L, 6L, 7L, 8L), chatSeqs(bob, club, HISTORY));
        }
    }

    @Test
    void sinceJustBeforeTheOldestHeldMessageStillRecovers() {
        String club = "r" + CLUBS.incrementAndGet();
        String epoch = clubWithMessages(club, 8);
        try (TestClient bob = server.connect("bob")) {
            bob.send(join(club, 3).add("epoch", epoch));
            assertTrue(bob.expect("joined").getBoolean("recovered"));
            assertEquals(List.of(4L, 5L, 6L, 7L, 8L), chatSeqs(bob, club, HISTORY));
        }
    }

    @Test
    void differentEpochReplaysTheWholeHistoryAndDoesNotRecover() {
        String club = "r" + CLUBS.incrementAndGet();
        clubWithMessages(club, 3);
        try (TestClient bob = server.connect("bob")) {
            bob.send(join(club, 2).add("epoch", "an-epoch-from-before"));
            JsonObject joined = bob.expect("joined");
            assertFalse(joined.getBoolean("recovered"));
            assertEquals(List.of(1L, 2L, 3L), chatSeqs(bob, club, 3));
        }
    }

    @Test
    void sinceWithoutEpochIsTakenAsTheCurrentEpoch() {
        String club = "r" + CLUBS.incrementAndGet();
        clubWithMessages(club, 3);
        try (TestClient bob = server.connect("bob")) {
            bob.send(join(club, 1));
            assertTrue(bob.expect("joined").getBoolean("recovered"));
            assertEquals(List.of(2L, 3L), chatSeqs(bob, club, 2));
        }
    }

    @Test
    void sinceBeyondTheClubSeqReplaysNothingAndDoesNotRecover() {
        String club = "r" + CLUBS.incrementAndGet();
        String epoch = clubWithMessages(club, 2);
        try (TestClient bob = server.connect("bob")) {
            bob.send(join(club, 9).add("epoch", epoch));
            JsonObject joined = bob.expect("joined");
            assertFalse(joined.getBoolean("recovered"));
            assertEquals(2, joined.getJsonNumber("seq").longValue());
            bob.assertNoFrame(QUIET);
        }
    }

    @Test
    void liveDeliveryContinuesRightAfterTheReplayWithoutDuplicates() {
        String club = "r" + CLUBS.incrementAndGet();
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            String epoch = alice.join(club).getString("epoch");
            alice.chat(club, "m1");
            alice.chat(club, "m2");
            bob.send(join(club, 1).add("epoch", epoch));
            bob.expect("joined");
            alice.expect("presence");
            alice.chat(club, "m3");
            assertEquals(List.of(2L, 3L), chatSeqs(bob, club, 2));
        }
    }
}
