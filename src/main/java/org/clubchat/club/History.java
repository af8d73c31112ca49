package org.clubchat.club;

import java.util.ArrayList;
import java.util.List;
import org.clubchat.protocol.Frame;

/**
 * A club's last chat frames, a ring of fixed capacity holding a gapless run of seqs that ends at the
 * last one appended, each with whose message it is; a deleted message's frame is its tombstone. The
 * ring is made at the first append, so a club nobody speaks in costs none.
 * Not thread-safe: the owning {@link Club}'s lock guards it.
 */
final class History {
    private static final Frame[] NONE = new Frame[0];
    private final int capacity;
    private Frame[] ring = NONE;
    /** Whose each frame's message is (the sender its keys belong to), at the same index; null for a tombstone. */
    private String[] senders = new String[0];
    private int oldest;
    private int size;
    private long lastSeq;

    History(int capacity) {
        this.capacity = capacity;
    }

    /** Starts an empty history after {@code seq}, as a club read back from its log starts where it stood. */
    void startAfter(long seq) {
        if (size != 0 || lastSeq != 0) {
            throw new IllegalStateException("history already started at " + lastSeq);
        }
        lastSeq = seq;
    }

    /**
     * Appends the frame of {@code seq}, which must be one past the last seq, sent by {@code sender}
     * (null for a tombstone); drops the oldest when full.
     */
    void append(long seq, Frame chat, String sender) {
        if (seq != lastSeq + 1) {
            throw new IllegalStateException("seq " + seq + " does not follow " + lastSeq);
        }
        lastSeq = seq;
        if (capacity == 0) {
            return;
        }
        if (ring.length == 0) {
            ring = new Frame[capacity];
            senders = new String[capacity];
        }
        int index;
        if (size < ring.length) {
            index = (oldest + size) % ring.length;
            size++;
        } else {
            index = oldest;
            oldest = (oldest + 1) % ring.length;
        }
        ring[index] = chat;
        senders[index] = sender;
    }

    /** Whether the frame of {@code seq} is held. */
    boolean holds(long seq) {
        return seq >= oldestSeq() && seq <= lastSeq;
    }

    /** The frame of {@code seq}, which must be held. */
    Frame get(long seq) {
        return ring[indexOf(seq)];
    }

    /** Whose message {@code seq} is, which must be held; null once deleted. */
    String senderOf(long seq) {
        return senders[indexOf(seq)];
    }

    /** Puts the tombstone of {@code seq}, which must be held, in place of its message: text, name and sender are gone. */
    void delete(long seq, Frame tombstone) {
        int index = indexOf(seq);
        ring[index] = tombstone;
        senders[index] = null;
    }

    private int indexOf(long seq) {
        if (!holds(seq)) {
            throw new IllegalArgumentException("seq " + seq + " is not held");
        }
        return (int) ((oldest + (seq - oldestSeq())) % ring.length);
    }

    /** The seq of the oldest frame held, or {@code lastSeq + 1} when none is held. */
    long oldestSeq() {
        return lastSeq - size + 1;
    }

    /** The held frames with seq from {@code from} to {@code to}, oldest first. */
    List<Frame> between(long from, long to) {
        List<Frame> after = after(from - 1);
        long first = Math.max(from, oldestSeq());
        return after.subList(0, (int) Math.max(0, Math.min(after.size(), to - first + 1)));
    }

    /** The held frames with seq greater than {@code since}, oldest first. */
    List<Frame> after(long since) {
        long first = Math.max(since + 1, oldestSeq());
        int count = (int) Math.max(0, lastSeq - first + 1);
        List<Frame> frames = new ArrayList<>(count);
        int start = (int) (oldest + (first - oldestSeq())) % Math.max(1, ring.length);
        for (int i = 0; i < count; i++) {
            frames.add(ring[(start + i) % ring.length]);
        }
        return frames;
    }
}
