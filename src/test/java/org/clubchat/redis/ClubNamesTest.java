package org.clubchat.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.clubchat.protocol.ServerMessage.Presence.Event;
import org.junit.jupiter.api.Test;

/** How a node follows a Redis club's names: events in version order, gaps filled from a reading. */
class ClubNamesTest {
    private final List<String> told = new ArrayList<>();
    private int readingsAsked;
    private final ClubNames names = new ClubNames((name, event) -> told.add(event + " " + name), () -> readingsAsked++);

    @Test
    void eventsInVersionOrderAreToldOnceAndStaleOnesIgnored() {
        names.read(2, List.of("bob", "앨리스"));
        names.event(3, Event.JOIN, "carol");
        names.event(3, Event.JOIN, "carol");
        names.event(2, Event.LEAVE, "bob");
        names.event(4, Event.LEAVE, "bob");
        assertEquals(List.of("JOIN carol", "LEAVE bob"), told);
        assertEquals(List.of("carol", "앨리스"), List.copyOf(names.names()));
        assertEquals(0, readingsAsked);
    }

    @Test
    void eventsBeforeTheFirstReadingAreLaidOverIt() {
        names.event(5, Event.JOIN, "dave");
        names.event(6, Event.LEAVE, "bob");
        names.read(5, List.of("bob", "dave"));
        assertEquals(List.of("dave"), List.copyOf(names.names()));
        assertEquals(0, readingsAsked, "the events from the reading's version on are all there");
        names.event(7, Event.JOIN, "Émile");
        assertEquals(List.of("JOIN Émile"), told);
    }

    @Test
    void aSkippedVersionAsksForAReadingThatTheEventsSinceAreLaidOver() {
        names.read(1, List.of("bob"));
        names.event(4, Event.JOIN, "dave");
        assertEquals(1, readingsAsked, "versions 2 and 3 were missed");
        names.event(5, Event.LEAVE, "bob");
        // Read at 4: carol came (2), zoë came and went (3), dave came (4); bob's leave (5) is laid over it.
        names.read(4, List.of("bob", "carol", "dave"));
        assertEquals(List.of("carol", "dave"), List.copyOf(names.names()));
        assertEquals(List.of("JOIN dave", "LEAVE bob", "JOIN carol"), told);
        names.event(6, Event.JOIN, "zoë");
        assertEquals(1, readingsAsked, "the gap is filled");
    }

    @Test
    void aReadingOlderThanTheGapIsNotTakenAndAnotherIsAsked() {
        names.read(1, List.of("bob"));
        names.event(4, Event.JOIN, "dave");
        names.read(2, List.of("bob", "carol"));
        assertEquals(2, readingsAsked, "read at 2, it cannot know version 3");
        assertEquals(List.of("bob", "dave"), List.copyOf(names.names()));
        names.read(4, List.of("bob", "carol", "dave"));
        assertEquals(List.of("bob", "carol", "dave"), List.copyOf(names.names()));
    }

    @Test
    void aNewerReadingWithoutAGapBringsWhatASubscriptionMissed() {
        names.read(1, List.of("bob"));
        names.read(3, List.of("carol"));
        names.event(3, Event.JOIN, "carol");
        assertEquals(List.of("LEAVE bob", "JOIN carol"), told);
        names.read(2, List.of("bob"));
        assertEquals(List.of("carol"), List.copyOf(names.names()), "an older reading changes nothing");
    }
}
