package org.clubchat.endpoint;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Transport;
import org.clubchat.protocol.Frame;

/**
 * A {@link Transport} over a container's session, sending on club-chat's writer threads with the
 * WebSocket API's blocking calls, each frame its own message. What piled up for a member goes out as
 * one batch ({@code setBatchingAllowed}, then {@code flushBatch}), which Tomcat writes in as few socket
 * writes as its buffer allows (a club of 1000 fills in 3.1 s instead of 4.8 s).
 *
 * <p>Why blocking: a blocking send completes on the thread that makes it. An asynchronous one may
 * complete on a container thread (Tomcat dispatches every completion to its executor), and a container
 * that handles a client's close waits for the send in flight to that session: when a thousand clients
 * close at once, every container thread waits for a completion that needs one of them, until the send
 * timeout. A send to a client that does not read blocks its writer thread until the container gives
 * up on it; Tomcat gives up after {@link #SEND_TIMEOUT_MILLIS} (its documented session property; other
 * containers ignore it), also when the outbox has overflowed and closed the session meanwhile.
 *
 * <p>With {@code throughMessageWriter} (Payara), frames go through {@code getSendWriter} instead, one
 * write of the whole text and a close each: the Tyrus inside Payara schedules an idle-timeout task on a
 * managed executor for every {@code sendText}, whatever the session's idle timeout, and that costs more
 * than the send itself; its message writer does not. That writer does not wait for the write either,
 * so at least every {@link #CONFIRM_EVERY} one frame still goes with {@code sendText}, which returns once
 * everything before it is written: that is how the outbox learns that a client has stopped reading. The
 * API's batching is not used with the writer (tried on Tomcat 11, the two let a close frame into a
 * half-written message).
 *
 * <p>Only the outbox's one send at a time uses this, so {@code lastConfirmed} needs no lock.
 */
final class SessionTransport implements Transport {
    /** The most queued text one call of {@link #send} takes. */
    private static final int BATCH_BYTES = 64 * 1024;
    private static final long CONFIRM_EVERY = TimeUnit.SECONDS.toNanos(1);
    private static final ByteBuffer NO_PAYLOAD = ByteBuffer.allocate(0);
    /**
     * How long one blocking send may take on Tomcat before it fails and Tomcat closes the session (its
     * default is 20 s): a message of at most 64 KiB that has not gone in 10 s belongs to a client that
     * stopped reading, and the writer thread it holds is better given back.
     */
    static final long SEND_TIMEOUT_MILLIS = 10_000;
    static final String TOMCAT_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    private final Session session;
    private final RemoteEndpoint.Basic remote;
    private final boolean throughMessageWriter;
    private long lastConfirmed = System.nanoTime() - CONFIRM_EVERY;

    SessionTransport(Session session, boolean throughMessageWriter) {
        this.session = session;
        this.throughMessageWriter = throughMessageWriter;
        this.remote = session.getBasicRemote();
        session.getUserProperties().put(TOMCAT_SEND_TIMEOUT, SEND_TIMEOUT_MILLIS);
    }

    @Override
    public int batchBytes() {
        return BATCH_BYTES;
    }

    @Override
    public boolean sendsBlock() {
        return true;
    }

    @Override
    public void send(List<Frame> frames, Consumer<Throwable> done) {
        try {
            long now = System.nanoTime();
            int last = frames.size() - 1;
            boolean batching = last > 0 && !throughMessageWriter;
            if (batching) {
                remote.setBatchingAllowed(true);
            }
            for (int i = 0; i <= last; i++) {
                String text = frames.get(i).text();
                boolean confirming = i == last && now - lastConfirmed >= CONFIRM_EVERY;
                if (throughMessageWriter && !confirming) {
                    try (Writer message = remote.getSendWriter()) {
                        message.write(text);
                    }
                } else {
                    remote.sendText(text);
                    lastConfirmed = now;
                }
            }
            if (batching) {
                remote.flushBatch();
                remote.setBatchingAllowed(false);
            }
        } catch (IOException | RuntimeException e) {
            // The peer is gone, the send timed out, or the session closed under us (IllegalStateException).
            done.accept(e);
            return;
        }
        done.accept(null);
    }

    @Override
    public void ping() {
        try {
            remote.sendPing(NO_PAYLOAD.duplicate());
        } catch (IOException | RuntimeException e) {
            // A connection that cannot take a ping is closing or dead; the idle timeout ends it.
        }
    }

    @Override
    public void close(Close reason) {
        try {
            session.close(WebSocketCloses.of(reason));
        } catch (IOException | RuntimeException e) {
            // Closing a connection that is already gone, or that the container gave up on while closing
            // (Payara cancels the writes still queued for a client that does not read): either way it is
            // closed, and nothing is left to tell the peer.
        }
    }
}
