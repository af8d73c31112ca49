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

    /**
     * The most binary attachments one event of a client may carry; 0, the default, takes none. All of one
     * event's attachments together are held to the engine's {@code maxPayload}.
     */
    default int maxAttachments() {
        return 0;
    }

    /** One client in the namespace; called for one packet at a time, in order. */
    interface Client {
        /**
         * An event, its name first.
         *
         * @param ackId       the id to acknowledge it with, or null when the client asked for no ack
         * @param attachments the binary messages its placeholders stand for; empty for a text event
         */
        void event(JsonArray data, Long ackId, List<byte[]> attachments);

        /**
         * The client sent an event with more attachments than the namespace takes; they are not read.
         *
         * @return true if the client dealt with it (said so and is closing); false, the default, ends the
         *         session as for any invalid packet
         */
        default boolean attachmentsRefused() {
            return false;
        }

        /** A pong or any other packet: the client is alive. */
        default void heard() {
        }

        /** The client has left the namespace, or the connection has ended; called once. */
        void disconnected(boolean byClient);
    }
}
