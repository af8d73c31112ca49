package org.clubchat.socketio;

import java.io.IOException;

/**
 * A WebSocket an {@link EngineSession} writes to, as an adapter (the Jakarta endpoint) provides it. The
 * session calls {@link #sendText} and {@link #sendBinary} one at a time; they block until the message is
 * written or fails.
 */
public interface EngineSocket {
    void sendText(String text) throws IOException;

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
