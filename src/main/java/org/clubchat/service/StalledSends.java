package org.clubchat.service;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.clubchat.delivery.Closes;

/**
 * Closes (1013) each connection whose blocking send has not completed in {@link #LIMIT}: its client has
 * stopped reading. A container may buffer megabytes for such a client before a send blocks (Payara), so
 * the outbox's own bound can take long to be reached, or never be; and until the connection is closed
 * the send holds a sender thread (Payara gives up on it only then). Tomcat gives up on its own after the
 * same time ({@code BlockingSends.SEND_TIMEOUT_MILLIS}). On Payara, whose message writer does not wait,
 * a send that waits goes at least every 10 s and every {@code BlockingSends.CONFIRM_BYTES}, so a
 * client that stopped reading holds one of those. Run every second by the composition root's timer;
 * stateless between runs.
 */
public final class StalledSends implements Runnable {
    /** How long one send may take: a message of at most 64 KiB that has not gone in this time was not read. */
    public static final Duration LIMIT = Duration.ofSeconds(10);

    private final Connections connections;
    private final LongSupplier nanoClock;

    public StalledSends(Connections connections, LongSupplier nanoClock) {
        this.connections = connections;
        this.nanoClock = nanoClock;
    }

    @Override
    public void run() {
        long now = nanoClock.getAsLong();
        connections.forEach(connection -> {
            if (connection.outbox().sendingFor(now) > LIMIT.toNanos()) {
                connection.outbox().abort(Closes.SEND_STALLED);
            }
        });
    }
}
