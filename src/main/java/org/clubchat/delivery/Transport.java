package org.clubchat.delivery;

import java.util.List;
import java.util.function.Consumer;
import org.clubchat.protocol.Frame;

/** The network side of one connection, as the {@link Outbox} needs it. */
public interface Transport {
    /** The wire of club-chat's own protocol, as metrics and {@code /health} label it. */
    String NATIVE = "clubchat";
    /** socket.io's wire. */
    String SOCKET_IO = "socketio";

    /** Which wire the connection speaks ({@link #NATIVE} or {@link #SOCKET_IO}), for metrics. */
    default String protocol() {
        return NATIVE;
    }

    /**
     * The most text, in UTF-8 bytes, that one send may carry when several frames are queued; 0 for a
     * transport that sends one frame at a time. A single larger frame is still sent whole.
     */
    int batchBytes();

    /**
     * Bytes the transport adds to each frame it writes, as it stands now (socket.io: the client's recovery
     * offset); counted with every queued frame against the outbox's bound and in a batch's size. Read on
     * every offer, so it must be cheap and safe from any thread.
     */
    default int overheadBytes() {
        return 0;
    }

    /**
     * Starts sending frames, in order, in one write where the transport can: at least one frame, and
     * more only within {@link #batchBytes}. {@code done} receives null once all are sent, or the
     * failure. The outbox never starts a second send before {@code done} has run. {@code done} may run
     * on any thread, including the calling one before this method returns.
     */
    void send(List<Frame> frames, Consumer<Throwable> done);

    /**
     * Whether {@link #send} holds the calling thread until the frames are written. Such a transport is
     * driven by threads of its own, so that a client that stops reading holds up only its own thread
     * for as long as the container lets the write wait, never the threads of the others.
     */
    default boolean sendsBlock() {
        return false;
    }

    /** Sends a WebSocket ping, which a live peer answers with a pong; failures are ignored. */
    void ping();

    /**
     * Closes the connection with a close code from {@link Closes}; safe to call more than once. May block
     * while the container writes the close frame, so the outbox calls it on its closer executor.
     */
    void close(Close reason);
}
