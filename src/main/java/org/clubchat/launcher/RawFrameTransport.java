package org.clubchat.launcher;

import jakarta.websocket.Session;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Transport;
import org.clubchat.endpoint.Transports;
import org.clubchat.protocol.Frame;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.asyncqueue.AsyncQueueWriter;
import org.glassfish.grizzly.asyncqueue.WritableMessage;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;

/**
 * The launcher's transport: writes each frame's WebSocket form, made once per broadcast, straight into
 * the Grizzly connection's write queue. Tyrus would encode and frame the same text again for every
 * member, then pass it through its own task queue and Grizzly's filter chain (HTTP codec, idle
 * timeout), none of which has anything to do for a finished frame on an upgraded connection. A batch of
 * frames is one write, so what queued up for a member goes out in one system call. Whole frames only,
 * so Tyrus's own control frames (pongs, the close) never interleave inside one; the outbox keeps one
 * write in flight, so the queue never holds more than a batch of ours. Pings and closes still go
 * through Tyrus, which keeps the connection's state; the {@link LingeringWriter} both write through
 * keeps our frames from following a close frame.
 */
final class RawFrameTransport implements Transport {
    private final Connection<SocketAddress> connection;
    private final AsyncQueueWriter<SocketAddress> writer;
    private final LingeringWriter gate;
    private final Session session;
    private final Transport standard;

    @SuppressWarnings("unchecked")
    RawFrameTransport(Connection<?> connection, LingeringWriter gate, Session session) {
        this.connection = (Connection<SocketAddress>) connection;
        this.gate = gate;
        this.writer = ((TCPNIOTransport) connection.getTransport()).getAsyncQueueIO().getWriter();
        this.session = session;
        this.standard = Transports.STANDARD.forSession(session);
    }

    /**
     * Everything queued: what piles up behind a send in flight is bounded by the outbox, and what piled
     * up while no send was in flight would otherwise count against that bound once one is.
     */
    @Override
    public int batchBytes() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void send(List<Frame> frames, Consumer<Throwable> done) {
        if (!session.isOpen() || !connection.isOpen()) {
            done.accept(new IllegalStateException("the connection is closed"));
            return;
        }
        write(connection, writer, gate, WebSocketFrames.joined(frames.stream().map(frame -> frame.encoded(WebSocketFrames.TEXT)).toList()), done);
    }

    /**
     * Hands finished frames to the connection's write queue as one write, unless the gate has let a close
     * frame through already; {@code done} gets null once written, or the failure.
     */
    static void write(Connection<SocketAddress> connection, AsyncQueueWriter<SocketAddress> writer, LingeringWriter gate,
            byte[] frames, Consumer<Throwable> done) {
        var written = new EmptyCompletionHandler<WriteResult<WritableMessage, SocketAddress>>() {
            @Override
            public void completed(WriteResult<WritableMessage, SocketAddress> result) {
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
        };
        Buffer batch = Buffers.wrap(connection.getMemoryManager(), frames);
        if (!gate.writeData(() -> writer.write(connection, batch, written))) {
            done.accept(new IllegalStateException("the connection is closing: a close frame has been written"));
        }
    }

    @Override
    public void ping() {
        standard.ping();
    }

    @Override
    public void close(Close reason) {
        standard.close(reason);
    }
}
