package org.clubchat.endpoint;

import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;
import org.clubchat.delivery.Closes;
import org.clubchat.socketio.EngineServer;
import org.clubchat.socketio.EngineSocket;

/**
 * The WebSocket side of an Engine.IO server (socket.io's {@code /socket.io/}): hands each connection to
 * the {@link EngineServer} and reports its messages, and nothing more. Registered programmatically, with
 * {@link #config}, by the WAR's listener and the launcher. One instance per connection; the container calls it
 * for one connection at a time, so {@code listener} needs no lock.
 */
public final class EngineEndpoint extends Endpoint {
    private static final System.Logger LOG = System.getLogger(EngineEndpoint.class.getName());
    private final EngineServer server;
    private final Function<Session, EngineSocket> sockets;
    /** The text buffer, in characters, the container gives this session ({@link TextParts}). */
    private final int textBuffer;
    private EngineSocket.Listener listener;

    private EngineEndpoint(EngineServer server, Function<Session, EngineSocket> sockets, int textBuffer) {
        this.server = server;
        this.sockets = sockets;
        this.textBuffer = textBuffer;
    }

    /**
     * The endpoint at {@code path} (such as {@code /socket.io/}) for this server, sending with the API in
     * the way that costs least on the container that reports {@code serverInfo}
     * ({@code ServletContext.getServerInfo()}; see {@link Transports#forServer}); permessage-deflate only
     * with {@code compression}.
     */
    public static ServerEndpointConfig config(String path, EngineServer server, boolean compression, String serverInfo) {
        boolean throughMessageWriter = Transports.prefersMessageWriter(serverInfo);
        return config(path, server, compression, session -> new SessionSocket(session, throughMessageWriter),
                TextParts.containerBuffer(serverInfo, server.options().maxPayload()));
    }

    /**
     * The same, with a server's own way of writing to a connection (the launcher's raw frames).
     *
     * @param compression whether a client that offers permessage-deflate may have it
     * @param sockets     the socket for a session being opened, called in {@code onOpen}
     */
    public static ServerEndpointConfig config(String path, EngineServer server, boolean compression,
            Function<Session, EngineSocket> sockets) {
        return config(path, server, compression, sockets, server.options().maxPayload());
    }

    /** @param textBuffer the text buffer, in characters, the container is to give each session ({@link TextParts}) */
    private static ServerEndpointConfig config(String path, EngineServer server, boolean compression,
            Function<Session, EngineSocket> sockets, int textBuffer) {
        return ServerEndpointConfig.Builder.create(EngineEndpoint.class, path)
                .configurator(new ServerEndpointConfig.Configurator() {
                    @Override
                    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
                        return ChatEndpointConfigurator.negotiated(compression, () -> super.getNegotiatedExtensions(installed, requested));
                    }

                    @Override
                    public <T> T getEndpointInstance(Class<T> endpointClass) {
                        return endpointClass.cast(new EngineEndpoint(server, sockets, textBuffer));
                    }
                })
                .build();
    }

    /** The container's session as the engine writes to it: the API's blocking sends, batched where several wait. */
    public static EngineSocket standardSocket(Session session) {
        return new SessionSocket(session, false);
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        int maxPayload = server.options().maxPayload();
        // On Tomcat small, so that a session does not hold a buffer for the largest message: see TextParts.
        // Binary messages (rare: socket.io attachments) keep the container's buffer, which only they make grow.
        session.setMaxTextMessageBufferSize(textBuffer);
        session.setMaxBinaryMessageBufferSize(maxPayload);
        // Engine.IO's pings end silent sessions.
        session.setMaxIdleTimeout(-1);
        EngineSocket socket = sockets.apply(session);
        // The origin was checked before the upgrade (the WAR's filter, the launcher's engine).
        listener = server.open(session.getQueryString(), socket);
        if (listener == null) {
            socket.close();
            return;
        }
        EngineSocket.Listener reported = listener;
        TextParts parts = new TextParts(maxPayload);
        session.addMessageHandler(String.class, (MessageHandler.Partial<String>) (part, last) -> parts.part(part, last, reported::text,
                () -> closeTooBig(session)));
        session.addMessageHandler(ByteBuffer.class, data -> {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            reported.binary(bytes);
        });
    }

    /** A text message over Engine.IO's payload limit closes the WebSocket (1009), as the container's own limit did. */
    private static void closeTooBig(Session session) {
        try {
            session.close(WebSocketCloses.of(Closes.TOO_BIG));
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing a WebSocket with 1009 failed: {0}", e.toString());
        }
    }

    @Override
    public void onClose(Session session, CloseReason reason) {
        if (listener != null) {
            listener.closed();
        }
    }

    @Override
    public void onError(Session session, Throwable failure) {
        LOG.log(Level.DEBUG, "Engine.IO WebSocket failed: {0}", failure.toString());
    }

    /**
     * The container's session as the engine writes to it: the API's blocking sends, several messages as
     * one batch ({@link BlockingSends}). The engine's one writer at a time calls it.
     */
    private static final class SessionSocket implements EngineSocket {
        private final Session session;
        private final BlockingSends sends;

        SessionSocket(Session session, boolean throughMessageWriter) {
            this.session = session;
            this.sends = new BlockingSends(session, throughMessageWriter);
        }

        @Override
        public void sendText(String text) throws IOException {
            sends.send(List.of(text), Function.identity());
        }

        @Override
        public void sendTexts(List<String> texts) throws IOException {
            sends.send(texts, Function.identity());
        }

        @Override
        public void sendBinary(byte[] data) throws IOException {
            sends.remote().sendBinary(ByteBuffer.wrap(data));
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (IOException | RuntimeException e) {
                // Already closed or gone.
            }
        }
    }
}
