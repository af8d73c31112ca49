package org.clubchat.endpoint;

import jakarta.websocket.Session;
import org.clubchat.delivery.Transport;

/** Makes the {@link Transport} of each new connection: the WebSocket API's, or a server's own. */
@FunctionalInterface
public interface Transports {
    /** Sends through the session's asynchronous remote endpoint: works in every container. */
    Transports STANDARD = SessionTransport::new;

    Transport forSession(Session session);
}
