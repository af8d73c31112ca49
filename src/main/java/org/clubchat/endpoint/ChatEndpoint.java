package org.clubchat.endpoint;

import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import org.clubchat.ClubChat;
import org.clubchat.delivery.Closes;
import org.clubchat.delivery.Outbox;
import org.clubchat.delivery.Transport;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.service.Connection;

/**
 * The {@code /chat} WebSocket endpoint: turns container callbacks into {@link org.clubchat.service.ChatService}
 * calls and close codes, and nothing more. One instance per connection; the container calls it for one
 * connection at a time, so {@code connection} needs no lock.
 */
@ServerEndpoint(
        value = "/chat",
        decoders = InboundDecoder.class,
        configurator = ChatEndpointConfigurator.class)
public final class ChatEndpoint {
    private static final System.Logger LOG = System.getLogger(ChatEndpoint.class.getName());

    private final ClubChat app;
    private Connection connection;

    ChatEndpoint(ClubChat app) {
        this.app = app;
    }

    @OnOpen
    public void onOpen(Session session) throws IOException {
        // Containers buffer a whole text message in a buffer that is also their limit, and Tomcat's default
        // of 8 KiB would close legal messages with 1009. The buffer counts characters, which are never more
        // than the UTF-8 bytes, so every legal message fits; the codec then checks the exact byte count.
        session.setMaxTextMessageBufferSize(app.settings().maxFrameBytes());
        // club-chat closes idle connections itself (pings, idle.timeout). A negative value means "none" in
        // the API; Tyrus treats 0 as a timer to reschedule on every message sent and received, which cost
        // a scheduled task per delivery.
        session.setMaxIdleTimeout(-1);
        Admission admission = app.gate().identify(session.getRequestParameterMap());
        if (admission instanceof Admission.Admitted admitted) {
            Transport transport = app.transports().forSession(session);
            Outbox outbox = new Outbox(transport, app.settings().outboxMaxBytes(), app.senderFor(transport), app.closer());
            connection = app.chat().open(admitted.identity(), outbox).orElse(null);
        } else {
            // Only reached where no handshake check ran before the upgrade; refuse before any welcome.
            session.close(Closes.HANDSHAKE_REFUSED);
        }
    }

    @OnMessage
    public void onText(DecodeResult message) {
        if (connection != null) {
            app.chat().handle(connection, message);
        }
    }

    @OnMessage
    public void onPong(PongMessage pong) {
        if (connection != null) {
            app.chat().heard(connection);
        }
    }

    @OnMessage
    public void onBinary(ByteBuffer ignored, Session session) throws IOException {
        app.metrics().frameReceived(Metrics.BINARY);
        if (connection != null) {
            connection.outbox().close(Closes.BINARY_FRAME);
        } else {
            session.close(Closes.BINARY_FRAME);
        }
    }

    /**
     * Containers may report a close on the thread of a failing write, and writes start inside a club's
     * lock (a club offering to this connection). Leaving the clubs there would change the club under
     * its own iteration, so it happens on a closer thread instead.
     */
    @OnClose
    public void onClose(CloseReason reason) {
        if (connection != null) {
            app.metrics().connectionClosed(reason.getCloseCode().getCode());
            Connection closed = connection;
            app.offClubLocks(() -> app.chat().close(closed));
        }
    }

    @OnError
    public void onError(Session session, Throwable failure) {
        if (failure instanceof IOException || !session.isOpen()) {
            // The peer went away, or the container is already closing it (1009 and the like).
            LOG.log(Level.DEBUG, "connection {0} failed: {1}", id(), failure.toString());
            return;
        }
        LOG.log(Level.WARNING, "unexpected error on connection " + id() + ", closing it with 1011", failure);
        if (connection != null) {
            connection.outbox().close(Closes.SERVER_ERROR);
        }
    }

    private String id() {
        return connection == null ? "(not open)" : connection.id();
    }
}
