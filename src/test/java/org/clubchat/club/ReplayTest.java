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
    void firstSeqIsTheFirstReadWhenHistoryWasTrimmedPastTheReplayBeforeItWasRead() {
        Replay replay = Replay.of(OptionalLong.of(4), "e1", "e1", 10);
        assertEquals(3, replay.firstSeq(3, 5), "nothing trimmed that was asked: the oldest when joined");
        assertEquals(8, replay.firstSeq(3, 8), "trimmed to 8 meanwhile: 5-7 are lost, so firstSeq says 8");
        assertEquals(11, replay.firstSeq(3, 11), "all trimmed meanwhile");
        assertEquals(3, Replay.of(OptionalLong.empty(), null, "e1", 10).firstSeq(3, 11), "nothing asked, nothing read");
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
