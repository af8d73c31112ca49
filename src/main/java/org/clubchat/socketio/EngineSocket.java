package org.clubchat.socketio;

import java.io.IOException;
import java.util.List;

/**
 * A WebSocket an {@link EngineSession} writes to, as an adapter (the Jakarta endpoint) provides it. The
 * session calls the sends one at a time; they block until the messages are written or fail.
 */
public interface EngineSocket {
    void sendText(String text) throws IOException;

    /** Several text messages, in order: in one write where the adapter can. */
    default void sendTexts(List<String> texts) throws IOException {
        for (String text : texts) {
            sendText(text);
        }
    }

    void sendBinary(byte[] data) throws IOException;

    /** Closes the WebSocket; safe to call more than once and from any thread. */
    void close();

    /** What the adapter reports of a WebSocket once the engine has taken it. */
    interface Listener {
        void text(String text);

        void binary(byte[] data);

        void closed();
    }
}
