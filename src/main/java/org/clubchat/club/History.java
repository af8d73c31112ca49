package org.clubchat.club;

import java.util.ArrayList;
import java.util.List;
import org.clubchat.protocol.Frame;

/**
 * A club's last chat frames, a ring of fixed capacity holding a gapless run of seqs that ends at the
 * last one appended. The ring is made at the first append, so a club nobody speaks in costs none.
 * Not thread-safe: the owning {@link Club}'s lock guards it.
 */
final class History {
    private static final Frame[] NONE = new Frame[0];
    private final int capacity;
    private Frame[] ring = NONE;
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

    /** Appends the frame of {@code seq}, which must be one past the last seq; drops the oldest when full. */
    void append(long seq, Frame chat) {
        if (seq != lastSeq + 1) {
            throw new IllegalStateException("seq " + seq + " does not follow " + lastSeq);
        }
        lastSeq = seq;
        if (capacity == 0) {
            return;
        }
        if (ring.length == 0) {
            ring = new Frame[capacity];
        }
        if (size < ring.length) {
            ring[(oldest + size) % ring.length] = chat;
            size++;
        } else {
            ring[oldest] = chat;
            oldest = (oldest + 1) % ring.length;
        }
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
