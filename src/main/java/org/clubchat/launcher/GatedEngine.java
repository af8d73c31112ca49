package org.clubchat.launcher;

import jakarta.websocket.CloseReason;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import org.clubchat.delivery.Transport;
import org.clubchat.endpoint.EngineEndpoint;
import org.clubchat.endpoint.Transports;
import org.clubchat.security.Admission;
import org.clubchat.security.HandshakeGate;
import org.clubchat.socketio.EngineSocket;
import org.glassfish.tyrus.spi.Connection;
import org.glassfish.tyrus.spi.ReadHandler;
import org.glassfish.tyrus.spi.UpgradeRequest;
import org.glassfish.tyrus.spi.UpgradeResponse;
import org.glassfish.tyrus.spi.WebSocketEngine;
import org.glassfish.tyrus.spi.Writer;

/**
 * Tyrus's engine with the {@link HandshakeGate} in front, so the launcher refuses a handshake with its
 * HTTP status as the WAR's servlet filter does, and a {@link MessageSizeGuard} on every connection.
 */
final class GatedEngine implements WebSocketEngine {
    private static final UpgradeInfo REFUSED = new UpgradeInfo() {
        @Override
        public UpgradeStatus getStatus() {
            return UpgradeStatus.HANDSHAKE_FAILED;
        }

        @Override
        public Connection createConnection(Writer writer, Connection.CloseListener listener) {
            return null;
        }
    };

    private final WebSocketEngine tyrus;
    private final HandshakeGate gate;
    private final int maxMessageBytes;
    /**
     * The Grizzly connection whose read this thread is handling (set by the {@link ConnectionFilter}):
     * Tyrus opens the endpoint (onOpen) inside the read that carries the handshake, where
     * {@link #transportFor} hands it to the new connection's transport.
     */
    private final ThreadLocal<org.glassfish.grizzly.Connection<?>> reading = new ThreadLocal<>();
    /** The writer of the connection Tyrus is creating on this thread, for {@link #transportFor} too. */
    private final ThreadLocal<LingeringWriter> opening = new ThreadLocal<>();
    private final ScheduledExecutorService lingerTimer;

    private final Set<String> enginePaths;

    /**
     * @param lingerTimer ends each {@link LingeringWriter}'s wait for a client's close frame
     * @param enginePaths the paths of Engine.IO servers, whose clients say who they are after the upgrade:
     *                    only their origin is checked before it
     */
    GatedEngine(WebSocketEngine tyrus, HandshakeGate gate, int maxMessageBytes, ScheduledExecutorService lingerTimer,
            Set<String> enginePaths) {
        this.tyrus = tyrus;
        this.enginePaths = Set.copyOf(enginePaths);
        this.gate = gate;
        this.maxMessageBytes = maxMessageBytes;
        this.lingerTimer = lingerTimer;
    }

    @Override
    public UpgradeInfo upgrade(UpgradeRequest request, UpgradeResponse response) {
        String origin = request.getHeader("Origin");
        Admission admission = enginePaths.contains(request.getRequestURI().getPath())
                ? gate.admitOrigin(origin) : gate.admit(origin, request.getQueryString());
        if (admission instanceof Admission.Refused refused) {
            response.setStatus(refused.httpStatus());
            response.setReasonPhrase(refused.reason());
            // No body follows; without a length a client would wait for one until the connection closes.
            response.getHeaders().put("Content-Length", List.of("0"));
            return REFUSED;
        }
        UpgradeInfo upgrade = tyrus.upgrade(request, response);
        if (upgrade.getStatus() != UpgradeStatus.SUCCESS) {
            return upgrade;
        }
        return new UpgradeInfo() {
            @Override
            public UpgradeStatus getStatus() {
                return UpgradeStatus.SUCCESS;
            }

            @Override
            public Connection createConnection(Writer writer, Connection.CloseListener closeListener) {
                LingeringWriter lingering = new LingeringWriter(writer, lingerTimer);
                opening.set(lingering);
                Connection connection;
                try {
                    connection = guarded(upgrade.createConnection(lingering, closeListener), lingering);
                } finally {
                    opening.remove();
                }
                org.glassfish.grizzly.Connection<?> grizzly = reading.get();
                if (grizzly != null) {
                    UpgradedReads.upgraded(grizzly, connection.getReadHandler());
                }
                return connection;
            }
        };
    }

    /** The Grizzly connection this thread now reads from, or null once the read is handled. */
    void readingFrom(org.glassfish.grizzly.Connection<?> connection) {
        if (connection == null) {
            reading.remove();
        } else {
            reading.set(connection);
        }
    }

    /** The raw-frame transport for a connection opening on this thread, else the standard one. */
    Transport transportFor(Session session) {
        org.glassfish.grizzly.Connection<?> connection = reading.get();
        LingeringWriter writer = opening.get();
        return connection == null || writer == null
                ? Transports.STANDARD.forSession(session) : new RawFrameTransport(connection, writer, session);
    }

    /** The raw-frame socket.io socket for a connection opening on this thread, else the standard one. */
    EngineSocket engineSocketFor(Session session) {
        org.glassfish.grizzly.Connection<?> connection = reading.get();
        LingeringWriter writer = opening.get();
        EngineSocket standard = EngineEndpoint.standardSocket(session);
        return connection == null || writer == null ? standard : new RawEngineSocket(connection, writer, session, standard);
    }

    /** The connection with a {@link MessageSizeGuard} in front of Tyrus's read handler. */
    private Connection guarded(Connection connection, LingeringWriter writer) {
        ReadHandler guard = new MessageSizeGuard(connection.getReadHandler(), connection, writer, maxMessageBytes);
        return new Connection() {
            @Override
            public ReadHandler getReadHandler() {
                return guard;
            }

            @Override
            public Writer getWriter() {
                return connection.getWriter();
            }

            @Override
            public CloseListener getCloseListener() {
                return connection.getCloseListener();
            }

            @Override
            public void close(CloseReason reason) {
                connection.close(reason);
            }
        };
    }

    @Override
    public void register(Class<?> endpointClass, String contextPath) throws DeploymentException {
        tyrus.register(endpointClass, contextPath);
    }

    @Override
    public void register(ServerEndpointConfig config, String contextPath) throws DeploymentException {
        tyrus.register(config, contextPath);
    }
}
