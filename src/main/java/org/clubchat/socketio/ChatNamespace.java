package org.clubchat.socketio;

import static org.clubchat.protocol.JsonP.PROVIDER;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.Map;
import java.util.Optional;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.security.Admission;
import org.clubchat.security.HandshakeGate;
import org.clubchat.service.Connection;
import org.clubchat.service.Gateway;

/**
 * The main namespace as club-chat serves it: each socket.io client is a club-chat connection, mapped as
 * docs/protocol.md's "socket.io clients" says. Immutable; one serves every client.
 */
public final class ChatNamespace implements Namespace {
    private final Gateway gateway;
    private final HandshakeGate handshakes;
    private final ProtocolCodec codec;

    public ChatNamespace(Gateway gateway, HandshakeGate handshakes, ProtocolCodec codec) {
        this.gateway = gateway;
        this.handshakes = handshakes;
        this.codec = codec;
    }

    @Override
    public Client connect(NamespaceSocket socket, JsonObject auth) {
        Admission admission = handshakes.identify(string(auth, "token"), socket.query().get("name"));
        if (admission instanceof Admission.Refused refused) {
            socket.refuse(PROVIDER.createObjectBuilder()
                    .add("message", refused.httpStatus() == 401 ? "unauthorized" : refused.reason()).build());
            return null;
        }
        Map<String, Offsets.Position> recovered = null;
        String pid = string(auth, "pid");
        String offset = string(auth, "offset");
        if (pid != null && offset != null) {
            recovered = Offsets.decode(offset);
        }
        ChatSocket client = new ChatSocket(socket, gateway, codec, recovered == null ? null : pid, recovered);
        Optional<Connection> connection = gateway.open(((Admission.Admitted) admission).identity(), client);
        // A full server has already refused it through the transport.
        connection.ifPresent(client::opened);
        return client;
    }

    private static String string(JsonObject auth, String field) {
        return auth.get(field) instanceof JsonString value ? value.getString() : null;
    }
}
