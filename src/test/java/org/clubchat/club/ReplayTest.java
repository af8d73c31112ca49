package org.clubchat.club;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The replay decision both club stores share, in each case of docs/protocol.md. */
class ReplayTest {

    @Test
    void withoutSinceNothingIsReplayedAndRecoveredIsAbsent() {
        Replay replay = Replay.of(OptionalLong.empty(), null, "e1", 10);
        assertFalse(replay.replaysUpTo(10));
        assertNull(replay.recovered(1));
    }

    @Test
    void sinceWithinHistoryReplaysTheRestAndRecoversWhenTheFirstIsHeld() {
        Replay replay = Replay.of(OptionalLong.of(4), "e1", "e1", 10);
        assertTrue(replay.replaysUpTo(10));
        assertEquals(5, replay.from());
        assertTrue(replay.recovered(5), "the first missed message is held");
        assertFalse(replay.recovered(6), "the first missed message was trimmed");
    }

    @Test
    void sinceAtTheClubsSeqReplaysNothingAndIsRecovered() {
        Replay replay = Replay.of(OptionalLong.of(10), null, "e1", 10);
        assertFalse(replay.replaysUpTo(10));
        assertTrue(replay.recovered(11));
    }

    @Test
    void sinceAheadOfTheClubIsNotRecovered() {
        Replay replay = Replay.of(OptionalLong.of(12), "e1", "e1", 10);
        assertFalse(replay.replaysUpTo(10));
        assertFalse(replay.recovered(11));
    }

    @Test
    void anotherEpochReplaysEverythingHeldButIsNotRecovered() {
        Replay replay = Replay.of(OptionalLong.of(3), "old", "e1", 10);
        assertTrue(replay.replaysUpTo(10));
        assertEquals(1, replay.from());
        assertFalse(replay.recovered(1));
    }
}
