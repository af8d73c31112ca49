package org.clubchat.socketio;

import static org.clubchat.protocol.JsonP.PROVIDER;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One client's place in one namespace, as the namespace sees it: what it may send the client. Sends are
 * Socket.IO packets on the client's Engine.IO session, so they keep their order with everything else the
 * session sends. Immutable; thread-safe as the session is.
 */
public final class NamespaceSocket {
    private final EngineSession engine;
    private final String namespace;
    private final String id;
    private final Runnable onDisconnect;

    NamespaceSocket(EngineSession engine, String namespace, String id, Runnable onDisconnect) {
        this.engine = engine;
        this.namespace = namespace;
        this.id = id;
        this.onDisconnect = onDisconnect;
    }

    /** The socket's id, which the CONNECT answer gives the client as {@code sid}. */
    public String id() {
        return id;
    }

    public String namespace() {
        return namespace;
    }

    /** The Engine.IO handshake's query parameters (socket.io's {@code query} option). */
    public Map<String, String> query() {
        return engine.query();
    }


    /** Accepts the connection: CONNECT with {@code sid} and the namespace's own fields. */
    public void accept(JsonObject fields) {
        JsonObject data = PROVIDER.createObjectBuilder(fields).add("sid", id).build();
        send(new SocketPacket.Connect(namespace, data));
    }

    /** Refuses the connection: CONNECT_ERROR with {@code data} (socket.io puts {@code message} in it). */
    public void refuse(JsonValue data) {
        send(new SocketPacket.ConnectError(namespace, data));
    }

    public void emit(JsonArray data) {
        send(new SocketPacket.Event(namespace, data, null));
    }

    /** An event or ack with binary attachments: the packet, then each attachment as a binary message. */
    public void sendBinary(SocketPacket packet, List<byte[]> attachments) {
        engine.send(List.of(packet.encodeBinary(attachments.size())), failure -> {
        }, false);
        attachments.forEach(engine::sendBinary);
    }

    /**
     * Packets already encoded (see {@link SocketPacket#encode}), in order; {@code done} as in
     * {@link EngineSession#send}. With {@code onThisThread} the caller writes them and may block.
     */
    public void send(List<String> packets, Consumer<Throwable> done, boolean onThisThread) {
        engine.send(packets, done, onThisThread);
    }

    /** Tells the client it is disconnected from the namespace (it will not reconnect by itself), then ends the session. */
    public void disconnect() {
        send(new SocketPacket.Disconnect(namespace));
        onDisconnect.run();
        engine.end();
    }

    /** Ends the connection once what is queued has gone out. */
    public void endConnection() {
        engine.end();
    }

    /** A fresh random id. */
    public String newId() {
        return engine.newId();
    }

    /** Ends the connection without a DISCONNECT: the client sees a transport close and reconnects. */
    public void dropConnection() {
        engine.close("server dropped the connection");
    }

    private void send(SocketPacket packet) {
        engine.send(List.of(packet.encode()), failure -> {
        }, false);
    }
}
