package org.clubchat.service;

import java.time.Duration;
import org.clubchat.protocol.Names;

/**
 * What one connection may do and how long it may stay quiet: the part of the settings the service
 * enforces. Built from the settings by the composition root.
 *
 * @param maxMessageLength the longest chat {@code message}, in code points
 * @param maxConnections   open connections one server accepts
 * @param ratePerSecond    messages a connection may send per second, on average
 * @param rateBurst        messages a connection may send at once after being quiet
 * @param floodTolerance   refused messages a connection may run up before it is closed with 1008
 * @param maxClubs         clubs one connection may be in at once
 * @param outboxMaxBytes   bytes queued behind a stalled send before the connection is closed with 1013
 * @param pingInterval     how long a connection may be quiet before it is pinged
 * @param idleTimeout      how long a connection may be silent before it is closed
 */
public record Limits(int maxMessageLength, int maxConnections, int ratePerSecond, int rateBurst, int floodTolerance,
        int maxClubs, long outboxMaxBytes, Duration pingInterval, Duration idleTimeout) {

    /** Why a message's length is refused (empty, or longer than the limit in code points), or null when it is fine. */
    public String messageLengthProblem(String message) {
        int length = Names.codePointLength(message);
        return length == 0 || length > maxMessageLength
                ? "message must be 1-" + maxMessageLength + " characters, was " + length : null;
    }
}
