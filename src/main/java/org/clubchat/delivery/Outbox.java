package org.clubchat.delivery;

import jakarta.websocket.CloseReason;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.clubchat.protocol.Frame;

/**
 * One connection's outgoing frames: sent in the order offered, one send in flight at a time (Tomcat
 * refuses a second asynchronous send while one is pending), so a slow client holds up only itself.
 *
 * <p>{@code queue}, {@code sending} and {@code closed} are guarded by {@code this}. It is a leaf lock:
 * held only for a few field updates, never while sending or calling out, never before a club's lock.
 * The thread that finds the outbox idle becomes the sender and drains it; a completion that arrives
 * later on another thread carries the draining on.
 */
public final class Outbox implements Delivery {
    private static final System.Logger LOG = System.getLogger(Outbox.class.getName());

    /** States of one send, to tell a completion on the sending thread from a later one elsewhere. */
    private static final int IN_SEND = 0;
    private static final int COMPLETED_INLINE = 1;
    private static final int LEFT_TO_CALLBACK = 2;

    private final Transport transport;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private boolean sending;
    private boolean closed;

    public Outbox(Transport transport) {
        this.transport = transport;
    }

    @Override
    public boolean offer(Frame frame) {
        synchronized (this) {
            if (closed) {
                return false;
            }
            queue.add(frame);
            if (sending) {
                return true;
            }
            sending = true;
        }
        drain();
        return true;
    }

    /** Drops what is queued and closes the connection; later offers are refused. */
    public void close(CloseReason reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
        }
        transport.close(reason);
    }

    /**
     * Sends until the queue is empty or a send goes asynchronous. A container may run the completion
     * on this very thread before {@code send} returns (the spec does not say which thread), so this
     * loops instead of recursing, and the stack stays flat however long the queue is.
     */
    private void drain() {
        while (true) {
            Frame next;
            synchronized (this) {
                next = closed ? null : queue.poll();
                if (next == null) {
                    sending = false;
                    return;
                }
            }
            AtomicInteger state = new AtomicInteger(IN_SEND);
            transport.send(next, failure -> {
                if (failure != null) {
                    onFailure(failure);
                } else if (!state.compareAndSet(IN_SEND, COMPLETED_INLINE)) {
                    drain();
                }
            });
            if (state.compareAndSet(IN_SEND, LEFT_TO_CALLBACK)) {
                return;
            }
        }
    }

    private void onFailure(Throwable failure) {
        // The peer is gone or the container refused the frame: nothing after it can be delivered in
        // order, so stop. The container reports the closed connection through the endpoint.
        synchronized (this) {
            closed = true;
            sending = false;
            queue.clear();
        }
        LOG.log(Level.DEBUG, "send failed, outbox closed: {0}", failure.toString());
    }
}
