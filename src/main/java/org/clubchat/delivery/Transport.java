package org.clubchat.delivery;

import jakarta.websocket.CloseReason;
import java.util.function.Consumer;
import org.clubchat.protocol.Frame;

/** The network side of one connection, as the {@link Outbox} needs it. */
public interface Transport {

    /**
     * Starts sending one frame; {@code done} receives null on success or the failure. The outbox never
     * starts a second send before {@code done} has run. {@code done} may run on any thread, including
     * the calling one before this method returns.
     */
    void send(Frame frame, Consumer<Throwable> done);

    /** Sends a WebSocket ping, which a live peer answers with a pong; failures are ignored. */
    void ping();

    /**
     * Closes the connection with a close code from {@link Closes}; safe to call more than once. May block
     * while the container writes the close frame, so the outbox calls it on its closer executor.
     */
    void close(CloseReason reason);
}
