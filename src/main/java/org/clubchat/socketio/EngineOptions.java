package org.clubchat.socketio;

import java.time.Duration;
import java.util.Objects;

/**
 * One Engine.IO server's settings, as its open packet announces them.
 *
 * @param pingInterval   how often the server pings a session
 * @param pingTimeout    how long a ping may wait for its pong before the session is closed
 * @param maxPayload     the most bytes one long-polling body or one WebSocket message may carry
 * @param upgradeTimeout how long a WebSocket probing an upgrade may take to complete it
 * @param maxSessions    sessions open at once, connected to a namespace or not yet; a handshake past it is refused
 */
public record EngineOptions(Duration pingInterval, Duration pingTimeout, int maxPayload, Duration upgradeTimeout,
        int maxSessions) {
    /** socket.io's own default. */
    public static final Duration DEFAULT_UPGRADE_TIMEOUT = Duration.ofSeconds(10);

    public EngineOptions {
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(pingTimeout, "pingTimeout");
        Objects.requireNonNull(upgradeTimeout, "upgradeTimeout");
        if (maxPayload < 1) {
            throw new IllegalArgumentException("maxPayload must be positive: " + maxPayload);
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("maxSessions must be positive: " + maxSessions);
        }
    }
}
