package org.clubchat.service;

import java.util.function.LongSupplier;
import org.clubchat.delivery.Closes;

/**
 * Pings each connection that has been quiet for a ping interval and closes each that has been silent
 * past the idle timeout, without waiting for what is queued for it or being sent to it: a peer gone
 * without a close (a dead TCP connection) answers nothing and reads nothing. Run
 * periodically by the composition root's timer; stateless between runs.
 */
public final class KeepAlive implements Runnable {
    private final Connections connections;
    private final LongSupplier nanoClock;
    private final long pingIntervalNanos;
    private final long idleTimeoutNanos;

    public KeepAlive(Connections connections, Limits limits, LongSupplier nanoClock) {
        this.connections = connections;
        this.nanoClock = nanoClock;
        this.pingIntervalNanos = limits.pingInterval().toNanos();
        this.idleTimeoutNanos = limits.idleTimeout().toNanos();
    }

    @Override
    public void run() {
        long now = nanoClock.getAsLong();
        connections.forEach(connection -> {
            long quiet = now - connection.lastHeard();
            if (quiet > idleTimeoutNanos) {
                connection.outbox().abort(Closes.IDLE);
            } else if (quiet >= pingIntervalNanos) {
                connection.outbox().ping();
            }
        });
    }
}
