package org.clubchat.endpoint;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.Session;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Text messages to a container's session with the WebSocket API's blocking calls, each its own message,
 * the way that costs least on the container: native connections ({@link SessionTransport}) and
 * socket.io's WebSockets ({@link EngineEndpoint}) both write through it.
 *
 * <p>Several messages go out as one batch ({@code setBatchingAllowed}, then {@code flushBatch}), which
 * Tomcat writes in as few socket writes as its buffer allows (a club of 1000 fills in 3.1 s instead of
 * 4.8 s). A send to a client that does not read blocks its thread until the container gives up on it;
 * Tomcat gives up after {@link #SEND_TIMEOUT_MILLIS} (its documented session property; other containers
 * ignore it), also when the session has been closed meanwhile.
 *
 * <p>With {@code throughMessageWriter} (Payara), messages go through {@code getSendWriter} instead, one
 * write of the whole text and a close each: the Tyrus inside Payara schedules an idle-timeout task on a
 * managed executor for every {@code sendText}, whatever the session's idle timeout, and that costs more
 * than the send itself; its message writer does not. That writer does not wait for the write either,
 * so at least every {@link #CONFIRM_EVERY} and every {@link #CONFIRM_BYTES} one message still goes with
 * {@code sendText}, which returns once everything before it is written: that is how a sender learns that
 * a client has stopped reading.
 * The API's batching is not used with the writer (tried on Tomcat 11, the two let a close frame into a
 * half-written message).
 *
 * <p>One send at a time: each user calls {@link #send} from one thread at a time (the outbox's one send,
 * the Engine.IO session's one writer), so {@code lastConfirmed} needs no lock.
 */
final class BlockingSends {
    /**
     * Rarely: each {@code sendText} on Payara costs the idle-timeout task above (a JFR profile of a
     * reconnect storm found a quarter of Payara's time in the confirmations when they went every second
     * and with each connection's first message). Payara buffers megabytes before a send waits anyway,
     * so it is {@link #CONFIRM_BYTES} that finds a client that stopped reading; this is for a trickle.
     */
    private static final long CONFIRM_EVERY = TimeUnit.SECONDS.toNanos(10);
    /**
     * Also at least every this many characters through the writer: a burst of large messages to a client
     * that stopped reading is otherwise buffered by Payara whole (megabytes) within its second, and nothing
     * sent after it would show that the client does not read.
     */
    static final long CONFIRM_BYTES = 1024 * 1024;
    /**
     * How long one blocking send may take on Tomcat before it fails and Tomcat closes the session (its
     * default is 20 s): a message of at most 64 KiB that has not gone in 10 s belongs to a client that
     * stopped reading, and the thread it holds is better given back.
     */
    static final long SEND_TIMEOUT_MILLIS = 10_000;
    static final String TOMCAT_SEND_TIMEOUT = "org.apache.tomcat.websocket.BLOCKING_SEND_TIMEOUT";

    private final RemoteEndpoint.Basic remote;
    private final boolean throughMessageWriter;
    private long lastConfirmed = System.nanoTime();
    /** Characters sent through the writer since the last send that waited. */
    private long unconfirmed;

    BlockingSends(Session session, boolean throughMessageWriter) {
        this.throughMessageWriter = throughMessageWriter;
        this.remote = session.getBasicRemote();
        session.getUserProperties().put(TOMCAT_SEND_TIMEOUT, SEND_TIMEOUT_MILLIS);
    }

    RemoteEndpoint.Basic remote() {
        return remote;
    }

    /**
     * Sends the text of each item as its own message, in order, returning once the container has taken
     * them.
     *
     * @param text the item's text (a frame's, or the item itself), read as it is sent: no list of texts is
     *             made for each send
     * @throws IOException or an unchecked exception (IllegalStateException when the session closed under
     *     us) if the peer is gone or the send timed out
     */
    <T> void send(List<T> items, Function<T, String> text) throws IOException {
        long now = System.nanoTime();
        int last = items.size() - 1;
        boolean batching = last > 0 && !throughMessageWriter;
        if (batching) {
            remote.setBatchingAllowed(true);
        }
        for (int i = 0; i <= last; i++) {
            String message = text.apply(items.get(i));
            boolean confirming = i == last && (now - lastConfirmed >= CONFIRM_EVERY || unconfirmed >= CONFIRM_BYTES);
            if (throughMessageWriter && !confirming) {
                try (Writer writer = remote.getSendWriter()) {
                    writer.write(message);
                }
                unconfirmed += message.length();
            } else {
                remote.sendText(message);
                lastConfirmed = now;
                unconfirmed = 0;
            }
        }
        if (batching) {
            remote.flushBatch();
            remote.setBatchingAllowed(false);
        }
    }
}
