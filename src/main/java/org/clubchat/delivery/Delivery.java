package org.clubchat.delivery;

import org.clubchat.protocol.Frame;

/**
 * Where a club puts frames for one connection. Clubs call {@link #offer} while holding their lock, so an
 * implementation must return at once: it never blocks, never does I/O on the caller's thread, and never
 * throws. (One exception, while the server stops: an {@link Outbox} whose writer threads are gone sends
 * on the offering thread rather than lose the frame.)
 */
public interface Delivery {

    /**
     * Queues a frame behind every frame offered before it.
     *
     * @return false if the connection is closed or closing and the frame was dropped
     */
    boolean offer(Frame frame);

    /** Drops what is queued and closes the connection with a close code from {@link Closes}. */
    void close(Close reason);

    /**
     * The connection is to be closed once the replies the server still owes it are offered: from now on
     * nothing it sends is acted upon, but frames are still taken until {@link #close}.
     */
    default void closing() {
    }

    /** Whether the connection's close has been decided: what it sent from then on needs no answer. */
    default boolean isClosed() {
        return false;
    }
}
