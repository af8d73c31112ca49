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
 * A {@link Transport} over a container's session. Frames go out as the text the codec wrote once per
 * frame, with {@code sendText}: {@code sendObject} would look the encoder up again for every member.
 * The API sends one message at a time, so this transport takes one frame per send.
 */
final class SessionTransport implements Transport {
    private final Session session;

    SessionTransport(Session session) {
        this.session = session;
    }

    @Override
    public int batchBytes() {
        return 0;
    }

    @Override
    public void send(List<Frame> frames, Consumer<Throwable> done) {
        if (frames.size() != 1) {
            throw new IllegalArgumentException("one frame per send, got " + frames.size());
        }
        try {
            session.getAsyncRemote().sendText(frames.get(0).text(), result -> done.accept(result.isOK() ? null : result.getException()));
        } catch (RuntimeException e) {
            // The session closed under us (IllegalStateException): report it like a failed send.
            done.accept(e);
        }
    }

    @Override
    public void ping() {
        try {
            session.getAsyncRemote().sendPing(ByteBuffer.allocate(0));
        } catch (IOException | RuntimeException e) {
            // A connection that cannot take a ping is closing or dead; the idle timeout ends it.
        }
    }

    @Override
    public void close(Close reason) {
        try {
            session.close(WebSocketCloses.of(reason));
        } catch (IOException | IllegalStateException e) {
            // Closing a connection that is already gone: nothing is left to tell the peer.
        }
    }
}
