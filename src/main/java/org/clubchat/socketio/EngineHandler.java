package org.clubchat.socketio;

/**
 * What runs on top of one Engine.IO session (Socket.IO, or the conformance profile's raw echo). The
 * session calls it for one message at a time, in the order the client sent them.
 */
public interface EngineHandler {
    void text(String data);

    void binary(byte[] data);

    /** The session has ended, by either side; called once. */
    void closed(String reason);

    /** Makes the handler of a new session. */
    @FunctionalInterface
    interface Factory {
        EngineHandler open(EngineSession session);
    }
}
