package org.clubchat.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.clubchat.protocol.Names;
import org.clubchat.protocol.ServerMessage.Presence.Event;

/**
 * A Redis club's names as this node follows them, whatever the club's size: a reading of the names in
 * Redis, then each presence event. Every change of a club's names in Redis moves its presence version on
 * by one (join.lua, leave-club.lua), so events apply in version order, and a version skipped is an event
 * missed (published while the node's subscription was down or not yet made): the node then reads the
 * names again, and lays the events it applied since over that reading. The local members are told every
 * change ({@code told}), each once.
 *
 * <p>Used only on the store's events thread.
 */
final class ClubNames {
    private record Change(long version, Event event, String name) {
    }

    private final BiConsumer<String, Event> told;
    private final Runnable reread;
    /** The names, in code point order; null until the first reading. */
    private NavigableSet<String> names;
    /** The presence version the names are at. */
    private long version;
    /**
     * While events are missing (and before the first reading): the events applied since the last gap, to lay
     * over a reading that fills it; null when none is missing.
     */
    private List<Change> sinceGap = new ArrayList<>();
    /** Whether a reading asked for because of a gap is out. */
    private boolean reading;
    /** Moved on by {@link #reset}, so that a reading asked for before it is not taken after it. */
    private int generation;

    /**
     * @param told   tells the local members that a name came or went (the names say so already)
     * @param reread asks Redis for a reading of the names, which comes back to {@link #read} (or {@link #readFailed})
     */
    ClubNames(BiConsumer<String, Event> told, Runnable reread) {
        this.told = told;
        this.reread = reread;
    }

    /** The names, in code point order; null before the first reading. */
    NavigableSet<String> names() {
        return names;
    }

    /** Forgets everything: the next reading starts afresh, and one still out is not taken. */
    void reset() {
        names = null;
        version = 0;
        sinceGap = new ArrayList<>();
        reading = false;
        generation++;
    }

    /** Which run of the names a reading asked for now belongs to: {@link #read} takes it only while it is the same. */
    int generation() {
        return generation;
    }

    /** A presence event of the club, at its version. */
    void event(long eventVersion, Event event, String name) {
        Change change = new Change(eventVersion, event, name);
        if (names == null) {
            sinceGap.add(change);
            return;
        }
        if (eventVersion <= version) {
            return;
        }
        if (eventVersion > version + 1) {
            sinceGap = sinceGap == null ? new ArrayList<>() : sinceGap;
            askReading();
        }
        version = eventVersion;
        if (sinceGap != null) {
            sinceGap.add(change);
        }
        apply(change, names, told);
    }

    /**
     * A reading of the club's names at {@code readVersion}: the first one, one asked for to fill a gap, or
     * one after a new subscription (which finds what was published while there was none). It fills a gap
     * when the events applied since it are all there: laid over it, they give the names now.
     */
    void read(long readVersion, Collection<String> held) {
        reading = false;
        if (names != null && sinceGap == null && readVersion <= version) {
            return;
        }
        List<Change> over = sinceGap == null ? List.of()
                : sinceGap.stream().filter(change -> change.version() > readVersion).toList();
        boolean hole = false;
        long next = readVersion + 1;
        for (Change change : over) {
            hole |= change.version() != next;
            next = change.version() + 1;
        }
        if (hole && names != null) {
            askReading();
            return;
        }
        NavigableSet<String> now = new TreeSet<>(Names.CODE_POINT_ORDER);
        now.addAll(held);
        over.forEach(change -> apply(change, now, (name, event) -> { }));
        version = Math.max(version, Math.max(readVersion, next - 1));
        if (hole) {
            // The first reading, older than an event it misses: taken for now, and read again.
            askReading();
        } else {
            sinceGap = null;
        }
        if (names == null) {
            names = now;
            return;
        }
        List.copyOf(names).stream().filter(name -> !now.contains(name))
                .forEach(name -> apply(new Change(version, Event.LEAVE, name), names, told));
        now.stream().filter(name -> !names.contains(name)).toList()
                .forEach(name -> apply(new Change(version, Event.JOIN, name), names, told));
    }

    /** A reading could not be made. */
    void readFailed() {
        reading = false;
    }

    /** From the club's check, every second: a gap still open is read again. */
    void check() {
        if (names != null && sinceGap != null) {
            askReading();
        }
    }

    private void askReading() {
        if (!reading) {
            reading = true;
            reread.run();
        }
    }

    private static void apply(Change change, NavigableSet<String> names, BiConsumer<String, Event> told) {
        if (change.event() == Event.JOIN ? names.add(change.name()) : names.remove(change.name())) {
            told.accept(change.name(), change.event());
        }
    }
}
