package org.clubchat.delivery;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.clubchat.protocol.Frame;

/**
 * One connection's outgoing frames: sent in the order offered, one send in flight at a time (Tomcat
 * refuses a second asynchronous send while one is pending), so a slow client holds up only itself.
 *
 * <p>The queue is bounded in bytes while a send is stalled, that is while the transport has not taken
 * the previous frames (an asynchronous send that could not be written at once because the client's
 * socket is full, or a blocking send still under way): a client that stops reading while its clubs
 * stay busy would otherwise hold every frame sent since. When an offer would pass the bound, the outbox
 * drops its queue and closes the connection with 1013; a frame that arrives at an empty queue is always
 * taken, so the bound limits a backlog, never a single message. Frames that wait only for a writer
 * thread to get to them are the server's delay, not the client's, and do not count.
 *
 * <p>Each send takes what is queued, up to the transport's {@link Transport#batchBytes}, so a transport
 * that writes a batch at once makes one write of what piled up while the previous one was in flight.
 *
 * <p>A close lets frames already queued go out first (a writer may simply not have got to them yet, and
 * they often say why the connection closes), unless a send is stalled: a client that stopped reading
 * may never take it, so then the queue is dropped and the connection closed at once. {@link #abort}
 * never waits.
 *
 * <p>Pings go through the drain too, so that they are sent on the sender executor, never between the
 * frames of a batch, and never by the thread that asks for them (a timer).
 *
 * <p>Longer than the other classes here (about 430 lines, half of it this contract and the notes on
 * each state change): one lock guards one state machine, and splitting it would spread that lock over
 * several classes.
 *
 * <p>{@code queue}, {@code queuePeak}, {@code queuedBytes}, {@code sending}, {@code sendState}, {@code closed}
 * and {@code closeWhenDrained}, {@code pingDue}, {@code sendingThread} and {@code sendBegan} are guarded by
 * {@code this}.
 * It is a leaf lock: held only for a few field updates, never while sending or calling out, never
 * before a club's lock. The offer that finds the outbox idle starts a drain on the sender executor (the
 * server's writer threads), so that frames offered until it runs go out together: a fan-out returns at
 * once, and a busy server writes fewer, larger batches. A completion that arrives later on another
 * thread carries the draining on. Closing runs on the closer executor, because offers come from inside
 * a club's lock and a container's close may block.
 */
public final class Outbox implements Delivery {
    private static final System.Logger LOG = System.getLogger(Outbox.class.getName());

    /**
     * States of the latest send, to tell a completion on the sending thread from a later one elsewhere;
     * a send left to its callback is stalled.
     */
    private static final int IN_SEND = 0;
    private static final int COMPLETED = 1;
    private static final int LEFT_TO_CALLBACK = 2;
    /** A queue that held more frames than this is replaced by a small one once drained. */
    private static final int KEPT_FRAMES = 16;

    private final Transport transport;
    private final long maxQueuedBytes;
    private final OutboxBudget budget;
    private final Executor sender;
    private final Executor closer;
    private final Runnable drain = this::drain;
    private final Consumer<Throwable> sent = this::sent;
    /**
     * Small at first (an idle connection queues nothing); one that grew past {@link #KEPT_FRAMES} frames is
     * let go of once drained, so a burst does not stay allocated.
     */
    private ArrayDeque<Frame> queue = new ArrayDeque<>(1);
    /** The most frames the queue has held since it was last let go of. */
    private int queuePeak;
    private long queuedBytes;
    /** A drain is scheduled or running. */
    private boolean sending;
    private int sendState = COMPLETED;
    /** Written under {@code this}; volatile so that {@link #isClosed} reads it without the lock. */
    private volatile boolean closed;
    /** A close is coming ({@link #closing}): frames are still taken, but the connection's messages are not acted upon. */
    private volatile boolean closeComing;
    /** A close waiting for the drain to send what was queued before it. */
    private Close closeWhenDrained;
    /** A ping the next drain sends before the frames queued after it was asked for. */
    private boolean pingDue;
    /** The thread inside a send or ping call of the transport, or null: see {@link #detach}. */
    private Thread sendingThread;
    /** When the send or ping {@code sendingThread} is in began, {@link System#nanoTime}. */
    private long sendBegan;
    private volatile Consumer<Close> whenClosed = reason -> { };

    /**
     * @param maxQueuedBytes the bound on frames waiting behind a stalled send, in UTF-8 bytes
     * @param sender         runs the drain an offer starts (the server's writer threads; tests may pass
     *                       {@code Runnable::run}); if it refuses (shutting down), the offering thread sends
     * @param closer         runs {@link #whenClosed} (the connection is gone for club-chat) and then the
     *                       transport's close
     */
    public Outbox(Transport transport, long maxQueuedBytes, Executor sender, Executor closer) {
        this(transport, maxQueuedBytes, OutboxBudget.UNLIMITED, sender, closer);
    }

    /** @param budget counts what this outbox queues with what every other one of the server does */
    public Outbox(Transport transport, long maxQueuedBytes, OutboxBudget budget, Executor sender, Executor closer) {
        this.transport = transport;
        this.maxQueuedBytes = maxQueuedBytes;
        this.budget = budget;
        this.sender = sender;
        this.closer = closer;
    }

    /** The wire its transport speaks; see {@link Transport#protocol}. */
    public String protocol() {
        return transport.protocol();
    }

    /** What to run, on the closer executor, once this outbox has closed its connection, and why. */
    public void whenClosed(Consumer<Close> action) {
        whenClosed = action;
    }

    @Override
    public boolean offer(Frame frame) {
        boolean overflowed;
        boolean idle = false;
        long backlog = 0;
        synchronized (this) {
            if (closed) {
                return false;
            }
            overflowed = isStalled() && !queue.isEmpty()
                    && queuedBytes + (long) (queue.size() + 1) * transport.overheadBytes() + frame.wireBytes() > maxQueuedBytes;
            if (overflowed) {
                closed = true;
                dropQueue();
            } else {
                queue.add(frame);
                queuePeak = Math.max(queuePeak, queue.size());
                queuedBytes += frame.wireBytes();
                backlog = queuedBytes;
                idle = !sending;
                sending = true;
            }
        }
        if (overflowed) {
            LOG.log(Level.DEBUG, "outbox over {0} bytes, closing with 1013", maxQueuedBytes);
            closeTransport(Closes.OUTBOX_OVERFLOW);
            return false;
        }
        budget.add(frame.wireBytes(), backlog);
        if (idle) {
            startDrain();
        }
        return true;
    }

    /**
     * Whether the transport has not taken the previous frames: an asynchronous send left to its
     * callback, or a blocking send still under way. Under {@code this}.
     */
    private boolean isStalled() {
        return sendState == LEFT_TO_CALLBACK || sendState == IN_SEND && transport.sendsBlock();
    }

    private void startDrain() {
        try {
            sender.execute(drain);
        } catch (RejectedExecutionException e) {
            drain();
        }
    }

    /**
     * Closes the connection; later offers are refused. What is queued goes out first unless a send is
     * stalled, in which case it is dropped.
     */
    @Override
    public void close(Close reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (sending && sendState != LEFT_TO_CALLBACK) {
                closeWhenDrained = reason;
                return;
            }
            dropQueue();
        }
        closeTransport(reason);
    }

    /**
     * Drops what is queued and closes the connection now, even while a send is under way: for a peer
     * that has been silent so long that nothing queued for it matters.
     */
    public void abort(Close reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closeWhenDrained = null;
            dropQueue();
        }
        closeTransport(reason);
    }

    /**
     * The connection is closing under us, as its adapter reports: later frames are refused, what is
     * queued is dropped, and this waits up to {@code patience} for a send already under way on another
     * thread to return, so that the container does not tear the connection down under a write of ours.
     * (Payara, closing a connection while a write to it was under way, once put that write into the next
     * connection's recycled response.) A send under way on this very thread is not waited for.
     */
    public void detach(Duration patience) {
        synchronized (this) {
            closed = true;
            closeWhenDrained = null;
            pingDue = false;
            dropQueue();
            long deadline = System.nanoTime() + patience.toNanos();
            Thread current = Thread.currentThread();
            while (sendingThread != null && sendingThread != current) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.log(Level.DEBUG, "a send was still under way when its connection closed");
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Pings the peer, on the sender, unless frames are on their way, which tell as much about a live peer. */
    public void ping() {
        synchronized (this) {
            if (closed || sending) {
                return;
            }
            sending = true;
            pingDue = true;
        }
        startDrain();
    }

    /** On the closer; once it has stopped (shutting down, a writer thread finishing late), right here. */
    private void closeTransport(Close reason) {
        Runnable close = () -> {
            try {
                // Gone for club-chat at once: a container may be slow to close for a peer that does not read
                // (Payara writes the close frame behind the queue), and its member must not stay meanwhile.
                whenClosed.accept(reason);
            } finally {
                transport.close(reason);
            }
        };
        try {
            closer.execute(close);
        } catch (RejectedExecutionException e) {
            close.run();
        }
    }

    /**
     * Sends until the queue is empty or a send goes asynchronous. A container may run the completion
     * on this very thread before {@code send} returns (the spec does not say which thread), so this
     * loops instead of recursing, and the stack stays flat however long the queue is.
     */
    private void drain() {
        boolean afterSend = false;
        while (true) {
            List<Frame> batch = null;
            boolean ping = false;
            Close closeNow = null;
            synchronized (this) {
                if (sendingThread != null) {
                    sendingThread = null;
                    notifyAll();
                }
                if (afterSend && sendState == IN_SEND) {
                    // Stalled: the callback carries the draining on; a close waiting for the queue does not wait.
                    sendState = LEFT_TO_CALLBACK;
                    closeNow = closeWhenDrained;
                    if (closeNow != null) {
                        closeWhenDrained = null;
                        dropQueue();
                    }
                } else if (pingDue) {
                    pingDue = false;
                    ping = true;
                    sendingThread = Thread.currentThread();
                    sendBegan = System.nanoTime();
                } else {
                    batch = nextBatch();
                    if (batch == null) {
                        sending = false;
                        closeNow = closeWhenDrained;
                        closeWhenDrained = null;
                    } else {
                        sendState = IN_SEND;
                        sendingThread = Thread.currentThread();
                        sendBegan = System.nanoTime();
                    }
                }
            }
            if (ping) {
                transport.ping();
                continue;
            }
            if (batch == null) {
                if (closeNow != null) {
                    closeTransport(closeNow);
                }
                return;
            }
            transport.send(batch, sent);
            afterSend = true;
        }
    }

    /** The transport's report on the latest send; a late success carries the draining on. */
    private void sent(Throwable failure) {
        boolean late;
        synchronized (this) {
            late = sendState == LEFT_TO_CALLBACK;
            sendState = COMPLETED;
        }
        if (failure != null) {
            onFailure(failure);
        } else if (late) {
            drain();
        }
    }

    /**
     * How long a blocking send (or ping) under way has taken at {@code now} ({@link System#nanoTime}), in
     * nanos; 0 when none is. A client that stopped reading holds one for as long as the container lets it.
     */
    public synchronized long sendingFor(long now) {
        return sendingThread == null ? 0 : now - sendBegan;
    }

    /** Empties the queue, giving its bytes back to the budget. Under {@code this}. */
    private void dropQueue() {
        queue.clear();
        budget.release(queuedBytes);
        queuedBytes = 0;
        drained();
    }

    /** The queue is empty: a large one is let go of. Under {@code this}. */
    private void drained() {
        if (queuePeak > KEPT_FRAMES) {
            queue = new ArrayDeque<>(1);
        }
        queuePeak = 0;
    }

    /**
     * Whether the connection's close has been decided (by the server or the adapter), even if the transport
     * has not closed yet: nothing it sent from then on is acted upon.
     */
    @Override
    public boolean isClosed() {
        return closed || closeComing;
    }

    @Override
    public void closing() {
        closeComing = true;
    }

    /** Bytes waiting in the queue now. */
    public synchronized long queuedBytes() {
        return queuedBytes;
    }

    /** Takes the queued frames, up to the transport's batch size but at least one; null if none. */
    private List<Frame> nextBatch() {
        Frame first = queue.poll();
        if (first == null) {
            drained();
            return null;
        }
        int limit = transport.batchBytes();
        int overhead = transport.overheadBytes();
        long bytes = first.wireBytes();
        if (queue.isEmpty() || bytes + overhead + queue.peek().wireBytes() + overhead > limit) {
            queuedBytes -= bytes;
            budget.release(bytes);
            return List.of(first);
        }
        List<Frame> batch = new ArrayList<>(Math.min(queue.size() + 1, 16));
        batch.add(first);
        long written = bytes + overhead;
        while (!queue.isEmpty() && written + queue.peek().wireBytes() + overhead <= limit) {
            Frame next = queue.poll();
            bytes += next.wireBytes();
            written += next.wireBytes() + overhead;
            batch.add(next);
        }
        queuedBytes -= bytes;
        budget.release(bytes);
        return batch;
    }

    private void onFailure(Throwable failure) {
        // The peer is gone or the container refused the frame: nothing after it can be delivered in
        // order, so stop, and close the connection, so that it is forgotten even if the container never
        // reports the close (a close that was waiting for the queue keeps its own reason).
        Close close;
        synchronized (this) {
            closed = true;
            sending = false;
            dropQueue();
            close = closeWhenDrained != null ? closeWhenDrained : Closes.SEND_FAILED;
            closeWhenDrained = null;
        }
        LOG.log(Level.DEBUG, "send failed, outbox closed: {0}", failure.toString());
        closeTransport(close);
    }
}
