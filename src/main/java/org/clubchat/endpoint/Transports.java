package org.clubchat.endpoint;

import jakarta.websocket.Session;
import java.util.Locale;
import org.clubchat.delivery.Transport;

/** Makes the {@link Transport} of each new connection: the WebSocket API's, or a server's own. */
@FunctionalInterface
public interface Transports {
    /** Whole messages with the API's blocking {@code sendText}: every container. */
    Transports STANDARD = session -> new SessionTransport(session, false);
    /** Short messages through the API's message writer; see {@link SessionTransport} for why. */
    Transports MESSAGE_WRITER = session -> new SessionTransport(session, true);

    Transport forSession(Session session);

    /**
     * The fastest of the two for a container, by the server name it reports
     * ({@code ServletContext.getServerInfo()}): the message writer on Payara and GlassFish, whose Tyrus
     * schedules a task on a managed executor for every {@code sendText}, and {@code sendText} elsewhere,
     * which on Tomcat costs less than its message writer (measured in docs/performance.md).
     */
    static Transports forServer(String serverInfo) {
        return prefersMessageWriter(serverInfo) ? MESSAGE_WRITER : STANDARD;
    }

    /** Whether the container that reports {@code serverInfo} sends short messages cheaper through its message writer. */
    static boolean prefersMessageWriter(String serverInfo) {
        String server = serverInfo.toLowerCase(Locale.ROOT);
        return server.contains("payara") || server.contains("glassfish");
    }
}
