package org.clubchat.socketio;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.List;

/** What a Socket.IO namespace does with the clients that connect to it. */
@FunctionalInterface
public interface Namespace {

    /**
     * A client asks to connect. The namespace answers, now or later, with {@link NamespaceSocket#accept}
     * or {@link NamespaceSocket#refuse}.
     *
     * @param auth the client's {@code auth} payload, or an empty object
     * @return the client's handler; null if the namespace refused it at once
     */
    Client connect(NamespaceSocket socket, JsonObject auth);

    /** One client in the namespace; called for one packet at a time, in order. */
    interface Client {
        /**
         * An event, its name first.
         *
         * @param ackId       the id to acknowledge it with, or null when the client asked for no ack
         * @param attachments the binary messages its placeholders stand for; empty for a text event
         */
        void event(JsonArray data, Long ackId, List<byte[]> attachments);

        /** A pong or any other packet: the client is alive. */
        default void heard() {
        }

        /** The client has left the namespace, or the connection has ended; called once. */
        void disconnected(boolean byClient);
    }
}
