package org.clubchat.socketio;

import jakarta.json.spi.JsonProvider;

/**
 * The JSON-P provider (Parsson) for the socket.io package, looked up once: {@code Json.createObjectBuilder}
 * and its siblings look the provider up through the ServiceLoader on every call, which cost more than
 * the rest of a delivery. Stateless and thread-safe.
 */
final class SocketJson {
    static final JsonProvider JSON = JsonProvider.provider();

    private SocketJson() {
    }
}
