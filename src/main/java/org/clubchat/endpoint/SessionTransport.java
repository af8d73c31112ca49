package org.clubchat.endpoint;

import jakarta.websocket.Session;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Transport;
import org.clubchat.protocol.Frame;

/**
 * A {@link Transport} over a container's session, sending on club-chat's writer threads with the
 * WebSocket API's blocking calls ({@link BlockingSends}, which says how on each container). What piled
 * up for a member goes out as one call.
 *
 * <p>Why blocking: a blocking send completes on the thread that makes it. An asynchronous one may
 * complete on a container thread (Tomcat dispatches every completion to its executor), and a container
 * that handles a client's close waits for the send in flight to that session: when a thousand clients
 * close at once, every container thread waits for a completion that needs one of them, until the send
 * timeout. Only the outbox's one send at a time uses this.
 */
final class SessionTransport implements Transport {
    /** The most queued text one call of {@link #send} takes. */
    private static final int BATCH_BYTES = 64 * 1024;
    private static final ByteBuffer NO_PAYLOAD = ByteBuffer.allocate(0);

    private final Session session;
    private final BlockingSends sends;

    SessionTransport(Session session, boolean throughMessageWriter) {
        this.session = session;
        this.sends = new BlockingSends(session, throughMessageWriter);
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
            sends.send(frames, Frame::text);
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
            sends.remote().sendPing(NO_PAYLOAD.duplicate());
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
