package org.clubchat.service;

import jakarta.websocket.CloseReason;
import java.lang.System.Logger.Level;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.clubchat.club.ClubRegistry;
import org.clubchat.delivery.Closes;
import org.clubchat.delivery.Outbox;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Inbound;
import org.clubchat.protocol.Names;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;

/**
 * What the server does with each client message: one method per message type, replies and errors
 * included. Knows nothing of WebSocket; the endpoint turns container callbacks into these calls.
 *
 * <p>{@code open} is a concurrent set: connections open and close on container threads.
 */
public final class ChatService {
    private static final System.Logger LOG = System.getLogger(ChatService.class.getName());

    private final ClubRegistry registry;
    private final ProtocolCodec codec;
    private final int maxMessageLength;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();

    public ChatService(ClubRegistry registry, ProtocolCodec codec, int maxMessageLength) {
        this.registry = registry;
        this.codec = codec;
        this.maxMessageLength = maxMessageLength;
    }

    /** Registers a new connection and greets it with {@code welcome}. */
    public Connection open(String name, Outbox outbox) {
        Connection connection = new Connection(newConnectionId(), name, outbox);
        open.add(connection);
        outbox.offer(codec.frame(new ServerMessage.Welcome(connection.id(), name, ServerMessage.PROTOCOL_VERSION)));
        LOG.log(Level.DEBUG, "open {0} as {1}", connection.id(), name);
        return connection;
    }

    public void handle(Connection connection, DecodeResult result) {
        if (result instanceof DecodeResult.Rejected rejected) {
            error(connection, rejected.code(), rejected.detail(), rejected.requestId());
        } else if (result instanceof DecodeResult.Decoded decoded) {
            dispatch(connection, decoded.inbound());
        } else if (result instanceof DecodeResult.TooBig) {
            connection.outbox().close(Closes.TOO_BIG);
        } else {
            throw new IllegalStateException("unhandled " + result);
        }
    }

    /** Leaves every club the connection was in, telling the others; safe to call more than once. */
    public void close(Connection connection) {
        if (open.remove(connection)) {
            connection.close();
            LOG.log(Level.DEBUG, "closed {0}", connection.id());
        }
    }

    /** Closes every open connection with the given reason (shutdown). */
    public void closeAll(CloseReason reason) {
        open.forEach(connection -> connection.outbox().close(reason));
    }

    public int openConnections() {
        return open.size();
    }

    /** The single dispatch over {@link ClientMessage}; a test checks that every permitted type is here. */
    private void dispatch(Connection connection, Inbound inbound) {
        ClientMessage message = inbound.body();
        String requestId = inbound.requestId();
        if (message instanceof ClientMessage.Join join) {
            connection.join(registry, join, requestId);
        } else if (message instanceof ClientMessage.Leave leave) {
            if (!connection.leave(leave.clubId(), requestId)) {
                notMember(connection, leave.clubId(), requestId);
            }
        } else if (message instanceof ClientMessage.Chat chat) {
            chat(connection, chat, requestId);
        } else if (message instanceof ClientMessage.Ping) {
            connection.outbox().offer(codec.frame(ServerMessage.Pong.INSTANCE, requestId));
        } else {
            throw new IllegalStateException("unhandled " + message);
        }
    }

    private void chat(Connection connection, ClientMessage.Chat chat, String requestId) {
        if (!connection.isMember(chat.clubId())) {
            notMember(connection, chat.clubId(), requestId);
            return;
        }
        int length = Names.codePointLength(chat.message());
        if (length == 0 || length > maxMessageLength) {
            error(connection, ErrorCode.TOO_LONG,
                    "message must be 1-" + maxMessageLength + " characters, was " + length, requestId);
            return;
        }
        if (!connection.chat(chat.clubId(), chat.message(), requestId)) {
            notMember(connection, chat.clubId(), requestId);
        }
    }

    private void notMember(Connection connection, String clubId, String requestId) {
        error(connection, ErrorCode.NOT_MEMBER, "not a member of club " + clubId, requestId);
    }

    private void error(Connection connection, ErrorCode code, String detail, String requestId) {
        connection.outbox().offer(codec.frame(new ServerMessage.Error(code, detail), requestId));
    }

    /** Unique across nodes as well, unlike container session ids (Tomcat counts from 0). */
    private static String newConnectionId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
    }
}
