package org.clubchat.protocol;

import jakarta.json.spi.JsonProvider;

/**
 * The JSON-P provider (Parsson), looked up once, for code that builds or reads JSON per message outside
 * {@link ProtocolCodec} (socket.io's events, Redis's pub/sub events). {@code Json.createObjectBuilder} and
 * its siblings look the provider up through the ServiceLoader on every call, which cost more than the rest
 * of a socket.io delivery (docs/performance.md, sitting s12-sio). Stateless and thread-safe.
 */
public final class JsonP {
    public static final JsonProvider PROVIDER = JsonProvider.provider();

    private JsonP() {
    }
}
