package org.clubchat.socketio;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/**
 * Upgrade: a WebSocket probing to take a long-polling session over. Its {@code 2probe} is answered
 * {@code 3probe} and the waiting poll ends with a noop; its {@code 5} moves the session onto it; one that
 * does neither within {@code upgradeTimeout}, or fails, is closed and the session goes on polling.
 *
 * <p>{@code probe}, {@code upgrading} and {@code timeout} are guarded by the session's lock.
 */
final class EngineUpgrade {
    private final EngineSession session;
    private final EngineServer server;
    private EngineSocket probe;
    /** The probe has answered: polls end at once with a noop, and packets wait for the WebSocket. */
    private boolean upgrading;
    private ScheduledFuture<?> timeout;

    EngineUpgrade(EngineSession session, EngineServer server) {
        this.session = session;
        this.server = server;
    }

    /** Under the session's lock. */
    boolean isUpgrading() {
        return upgrading;
    }

    /**
     * A WebSocket with this session's id; null if the session cannot take one (it has one already), in
     * which case the adapter closes it.
     */
    EngineSocket.Listener probe(EngineSocket candidate) {
        synchronized (session) {
            if (session.isClosed() || !session.transport().isPolling() || probe != null) {
                return null;
            }
            probe = candidate;
            timeout = server.schedule(() -> abandon(candidate), server.options().upgradeTimeout());
        }
        EngineSocket.Listener own = session.transport().socketListener();
        return new EngineSocket.Listener() {
            @Override
            public void text(String text) {
                if (session.transport().isCarriedBy(candidate)) {
                    own.text(text);
                } else {
                    probeText(candidate, text);
                }
            }

            @Override
            public void binary(byte[] data) {
                if (session.transport().isCarriedBy(candidate)) {
                    own.binary(data);
                } else {
                    abandon(candidate);
                }
            }

            @Override
            public void closed() {
                if (session.transport().isCarriedBy(candidate)) {
                    own.closed();
                } else {
                    abandon(candidate);
                }
            }
        };
    }

    private void probeText(EngineSocket candidate, String text) {
        PollingExchange released;
        boolean upgraded = false;
        synchronized (session) {
            if (session.isClosed() || probe != candidate) {
                return;
            }
            if (text.equals("2probe")) {
                upgrading = true;
            } else if (text.equals("5")) {
                upgrading = false;
                probe = null;
                upgraded = true;
                session.transport().carryOn(candidate);
                if (timeout != null) {
                    timeout.cancel(false);
                }
            } else {
                return;
            }
            released = session.transport().takeParkedPoll();
        }
        if (text.equals("2probe")) {
            try {
                candidate.sendText("3probe");
            } catch (IOException e) {
                abandon(candidate);
                return;
            }
        }
        if (released != null) {
            // The poll that was waiting ends, so the client can move to the WebSocket.
            released.respond(200, EngineServer.TEXT, EnginePacket.of(EnginePacket.Type.NOOP).encode(), Map.of());
        }
        if (upgraded) {
            session.outgoing().flushLater();
        }
    }

    private void abandon(EngineSocket candidate) {
        synchronized (session) {
            if (probe != candidate) {
                return;
            }
            probe = null;
            upgrading = false;
        }
        candidate.close();
        session.outgoing().flushLater();
    }

    /** The session ends: the timeout is cancelled and the probe under way, if any, returned for closing; under the session's lock. */
    EngineSocket stop() {
        if (timeout != null) {
            timeout.cancel(false);
        }
        EngineSocket probing = probe;
        probe = null;
        return probing;
    }
}
