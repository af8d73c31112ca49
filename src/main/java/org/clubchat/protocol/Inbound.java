package org.clubchat.protocol;

import java.util.Objects;

/**
 * A decoded client frame: the message and the envelope's {@code id}, which the server copies into its
 * direct reply.
 *
 * @param requestId the client's {@code id}, or null when it sent none
 */
public record Inbound(String requestId, ClientMessage body) {
    public Inbound {
        Objects.requireNonNull(body, "body");
    }
}
