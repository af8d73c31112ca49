package org.clubchat.launcher;

import jakarta.websocket.Session;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.clubchat.socketio.EngineSocket;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.asyncqueue.AsyncQueueWriter;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;

/**
 * socket.io's WebSocket on the launcher, written as {@link RawFrameTransport} writes native frames:
 * whole text frames straight into the Grizzly connection's write queue, a batch in one write, instead of
 * Tyrus encoding, framing and queueing each message again. The engine's sends block, so this waits for
 * the write's completion (Grizzly usually completes it on the calling thread), at most as long as
 * Tomcat lets a blocking send wait. Binary messages and the close go through Tyrus.
 */
final class RawEngineSocket implements EngineSocket {
    private static final long SEND_TIMEOUT_MILLIS = 10_000;
    private final Connection<SocketAddress> connection;
    private final AsyncQueueWriter<SocketAddress> writer;
    private final LingeringWriter gate;
    private final Session session;
    private final EngineSocket standard;

    @SuppressWarnings("unchecked")
    RawEngineSocket(Connection<?> connection, LingeringWriter gate, Session session, EngineSocket standard) {
        this.connection = (Connection<SocketAddress>) connection;
        this.writer = ((TCPNIOTransport) connection.getTransport()).getAsyncQueueIO().getWriter();
        this.gate = gate;
        this.session = session;
        this.standard = standard;
    }

    @Override
    public void sendText(String text) throws IOException {
        sendTexts(List.of(text));
    }

    @Override
    public void sendTexts(List<String> texts) throws IOException {
        if (!session.isOpen() || !connection.isOpen()) {
            throw new IOException("the connection is closed");
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        RawFrameTransport.write(connection, writer, gate, WebSocketFrames.joined(texts.stream().map(WebSocketFrames::textFrame).toList()),
                failure -> {
                    if (failure == null) {
                        written.complete(null);
                    } else {
                        written.completeExceptionally(failure);
                    }
                });
        try {
            written.get(SEND_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the write did not complete", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing", e);
        }
    }

    @Override
    public void sendBinary(byte[] data) throws IOException {
        standard.sendBinary(data);
    }

    @Override
    public void close() {
        standard.close();
    }
}
