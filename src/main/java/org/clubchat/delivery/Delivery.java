package org.clubchat.delivery;

import jakarta.websocket.CloseReason;
import org.clubchat.protocol.Frame;

/**
 * Where a club puts frames for one connection. Clubs call {@link #offer} while holding their lock, so an
 * implementation must return at once: it never blocks, never does I/O on the caller's thread beyond
 * starting an asynchronous send, and never throws.
 */
public interface Delivery {

    /**
     * Queues a frame behind every frame offered before it.
     *
     * @return false if the connection is closed or closing and the frame was dropped
     */
    boolean offer(Frame frame);

    /** Drops what is queued and closes the connection with a close code from {@link Closes}. */
    void close(CloseReason reason);
}
