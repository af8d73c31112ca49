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
import org.clubchat.protocol.DecodeResult;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.security.Admission;
import org.clubchat.security.HandshakeGate;
import org.clubchat.service.Connection;
import org.clubchat.service.Gateway;

/**
 * The {@code /chat} WebSocket endpoint: turns container callbacks into {@link Gateway} calls, and
 * nothing more. One instance per connection; the container calls it for one connection at a time, so
 * {@code connection} and {@code parts} need no lock.
 */
@ServerEndpoint(
        value = "/chat",
        configurator = ChatEndpointConfigurator.class)
public final class ChatEndpoint {
    private static final System.Logger LOG = System.getLogger(ChatEndpoint.class.getName());

    private final Gateway gateway;
    private final HandshakeGate handshakes;
    private final ProtocolCodec codec;
    private final int maxMessageBytes;
    private final Transports transports;
    private final TextParts parts;
    /** The text buffer, in characters, the container gives the connection ({@link TextParts}). */
    private final int textBuffer;
    /** Null until admitted, and for a connection that was refused. */
    private Connection connection;

    ChatEndpoint(ClubChat app, Transports transports, int textBuffer) {
        this.gateway = app.gateway();
        this.handshakes = app.handshakes();
        this.codec = app.codec();
        this.maxMessageBytes = app.settings().maxFrameBytes();
        this.parts = new TextParts(maxMessageBytes);
        this.transports = transports;
        this.textBuffer = textBuffer;
    }

    @OnOpen
    public void onOpen(Session session) throws IOException {
        // On Tomcat small, so that a connection does not hold a buffer for the largest message: see TextParts.
        session.setMaxTextMessageBufferSize(textBuffer);
        // club-chat closes idle connections itself (pings, idle.timeout). A negative value means "none" in
        // the API; Tyrus treats 0 as a timer to reschedule on every message sent and received, which cost
        // a scheduled task per delivery.
        session.setMaxIdleTimeout(-1);
        Admission admission = handshakes.identify(session.getQueryString());
        if (admission instanceof Admission.Admitted admitted) {
            connection = gateway.open(admitted.identity(), transports.forSession(session)).orElse(null);
        } else {
            // Only reached where no handshake check ran before the upgrade; refuse before any welcome.
            session.close(WebSocketCloses.of(Closes.HANDSHAKE_REFUSED));
        }
    }

    /** One part of a text message ({@link TextParts}): the whole of one that fits the container's small buffer. */
    @OnMessage
    public void onText(String part, boolean last) {
        if (connection != null) {
            // Characters are never more than the UTF-8 bytes: the codec checks a message's bytes again.
            parts.part(part, last, text -> gateway.received(connection, codec.decode(text)),
                    () -> gateway.received(connection, new DecodeResult.TooBig(maxMessageBytes)));
        }
    }

    @OnMessage
    public void onPong(PongMessage pong) {
        if (connection != null) {
            gateway.heard(connection);
        }
    }

    /** The protocol refuses binary messages (1003) at their first part, whatever their size. */
    @OnMessage
    public void onBinary(ByteBuffer ignored, boolean last, Session session) throws IOException {
        if (connection != null) {
            gateway.binaryReceived(connection);
        } else {
            session.close(WebSocketCloses.of(Closes.BINARY_FRAME));
        }
    }

    @OnClose
    public void onClose(CloseReason reason) {
        if (connection != null) {
            gateway.closed(connection, reason.getCloseCode().getCode());
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
            gateway.failed(connection);
        }
    }

    private String id() {
        return connection == null ? "(not open)" : connection.id();
    }
}
