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

    /** Closes the connection with a close code from {@link Closes}; safe to call more than once. */
    void close(CloseReason reason);
}
