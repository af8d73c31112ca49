package org.clubchat.socketio;

import java.util.concurrent.ScheduledFuture;

/**
 * Heartbeat: pings the client every {@code pingInterval} and ends the session when a pong is later than
 * {@code pingTimeout} (socket.io's heartbeat is the server's to drive in Engine.IO 4).
 *
 * <p>{@code next} and {@code stopped} are guarded by {@code this}, a leaf lock: nothing else is called
 * while holding it.
 */
final class EngineHeartbeat {
    private final EngineSession session;
    private final EngineServer server;
    /** The next ping, or the timeout of the one sent. */
    private ScheduledFuture<?> next;
    private boolean stopped;

    EngineHeartbeat(EngineSession session, EngineServer server) {
        this.session = session;
        this.server = server;
    }

    synchronized void start() {
        next = server.schedule(this::ping, server.options().pingInterval());
    }

    private void ping() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            next = server.schedule(() -> session.close("ping timeout"), server.options().pingTimeout());
        }
        session.outgoing().control(EnginePacket.Type.PING);
    }

    /** The client answered: the next ping after a full interval. */
    synchronized void ponged() {
        if (stopped) {
            return;
        }
        next.cancel(false);
        next = server.schedule(this::ping, server.options().pingInterval());
    }

    synchronized void stop() {
        stopped = true;
        if (next != null) {
            next.cancel(false);
        }
    }
}
