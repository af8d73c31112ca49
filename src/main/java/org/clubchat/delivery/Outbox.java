package org.clubchat.delivery;

import jakarta.websocket.CloseReason;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.clubchat.protocol.Frame;

/**
 * One connection's outgoing frames: sent in the order offered, one send in flight at a time (Tomcat
 * refuses a second asynchronous send while one is pending), so a slow client holds up only itself.
 *
 * <p>The queue is bounded in bytes: a client that stops reading while its clubs stay busy would
 * otherwise hold every frame sent since. When an offer would pass the bound, the outbox drops its queue
 * and closes the connection with 1013; a frame that arrives at an empty queue is always taken, so the
 * bound limits a backlog, never a single message.
 *
 * <p>{@code queue}, {@code queuedBytes}, {@code sending} and {@code closed} are guarded by {@code this}.
 * It is a leaf lock: held only for a few field updates, never while sending or calling out, never
 * before a club's lock. The thread that finds the outbox idle becomes the sender and drains it; a
 * completion that arrives later on another thread carries the draining on. Closing runs on the closer
 * executor, because offers come from inside a club's lock and a container's close may block.
 */
public final class Outbox implements Delivery {
    private static final System.Logger LOG = System.getLogger(Outbox.class.getName());

    /** States of one send, to tell a completion on the sending thread from a later one elsewhere. */
    private static final int IN_SEND = 0;
    private static final int COMPLETED_INLINE = 1;
    private static final int LEFT_TO_CALLBACK = 2;

    private final Transport transport;
    private final long maxQueuedBytes;
    private final Executor closer;
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean sending;
    private boolean closed;
    private volatile Consumer<CloseReason> whenClosed = reason -> { };

    /**
     * @param maxQueuedBytes the bound on frames waiting behind the one in flight, in UTF-8 bytes
     * @param closer         runs the transport's close and then {@link #whenClosed}
     */
    public Outbox(Transport transport, long maxQueuedBytes, Executor closer) {
        this.transport = transport;
        this.maxQueuedBytes = maxQueuedBytes;
        this.closer = closer;
    }

    /** What to run, on the closer executor, once this outbox has closed its connection, and why. */
    public void whenClosed(Consumer<CloseReason> action) {
        whenClosed = action;
    }

    @Override
    public boolean offer(Frame frame) {
        boolean overflowed;
        synchronized (this) {
            if (closed) {
                return false;
            }
            overflowed = !queue.isEmpty() && queuedBytes + frame.wireBytes() > maxQueuedBytes;
            if (overflowed) {
                closed = true;
                queue.clear();
                queuedBytes = 0;
            } else {
                queue.add(frame);
                queuedBytes += frame.wireBytes();
                if (sending) {
                    return true;
                }
                sending = true;
            }
        }
        if (overflowed) {
            LOG.log(Level.DEBUG, "outbox over {0} bytes, closing with 1013", maxQueuedBytes);
            closeTransport(Closes.OUTBOX_OVERFLOW);
            return false;
        }
        drain();
        return true;
    }

    /** Drops what is queued and closes the connection; later offers are refused. */
    @Override
    public void close(CloseReason reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            queuedBytes = 0;
        }
        closeTransport(reason);
    }

    /** Pings the peer unless frames are on their way, which tell as much about a live peer. */
    public void ping() {
        synchronized (this) {
            if (closed || sending) {
                return;
            }
        }
        transport.ping();
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    private void closeTransport(CloseReason reason) {
        closer.execute(() -> {
            transport.close(reason);
            whenClosed.accept(reason);
        });
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
                queuedBytes -= next.wireBytes();
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
            queuedBytes = 0;
        }
        LOG.log(Level.DEBUG, "send failed, outbox closed: {0}", failure.toString());
    }
}
