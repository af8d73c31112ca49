package org.clubchat.launcher;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import org.clubchat.delivery.Transport;
import org.clubchat.endpoint.Transports;
import org.clubchat.protocol.Frame;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;

/**
 * The launcher's transport: writes each frame's WebSocket form, made once per broadcast, straight to the
 * connection's Grizzly writer, instead of letting Tyrus encode and frame the same text again for every
 * member. Whole frames only, so Tyrus's own control frames (pongs, the close) never interleave inside
 * one. Pings and closes still go through Tyrus, which keeps the connection's state.
 */
final class RawFrameTransport implements Transport {
    private final Writer writer;
    private final Session session;
    private final Transport standard;

    RawFrameTransport(Writer writer, Session session) {
        this.writer = writer;
        this.session = session;
        this.standard = Transports.STANDARD.forSession(session);
    }

    @Override
    public void send(Frame frame, Consumer<Throwable> done) {
        if (!session.isOpen()) {
            done.accept(new IllegalStateException("the connection is closed"));
            return;
        }
        writer.write(ByteBuffer.wrap(frame.webSocketFrame()), new CompletionHandler<>() {
            @Override
            public void completed(ByteBuffer result) {
                done.accept(null);
            }

            @Override
            public void failed(Throwable failure) {
                done.accept(failure);
            }

            @Override
            public void cancelled() {
                done.accept(new CancellationException("write cancelled"));
            }
        });
    }

    @Override
    public void ping() {
        standard.ping();
    }

    @Override
    public void close(CloseReason reason) {
        standard.close(reason);
    }
}
