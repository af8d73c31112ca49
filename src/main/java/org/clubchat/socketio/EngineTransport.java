package org.clubchat.socketio;

import java.lang.System.Logger.Level;
import java.util.Map;

/**
 * Transport: what carries the session now, long-polling (one waiting GET, one POST at a time) or its
 * WebSocket, and every packet the client sends over either, handed to the session in order. A packet
 * longer than {@code maxPayload}, one that is not Engine.IO, or one the layers above fail on ends the
 * session (a POST is then answered 400).
 *
 * <p>{@code polling}, {@code parkedPoll}, {@code posting}, {@code socket} and {@code awaitingLastPoll} are
 * guarded by the session's lock. Inbound packets are handled under {@code inbound}, so the layers above
 * see them one at a time and in order even while an upgrade moves the session from one transport to the
 * other; {@code inbound} is taken before the session's lock, never after.
 */
final class EngineTransport {
    private static final System.Logger LOG = System.getLogger(EngineTransport.class.getName());

    private final EngineSession session;
    private final EngineServer server;
    private final Object inbound = new Object();
    /** Long-polling until an upgrade completes; a WebSocket-only session never is. */
    private boolean polling;
    private PollingExchange parkedPoll;
    private boolean posting;
    private EngineSocket socket;
    /** Closed by the client's {@code 1} while no poll was waiting: the next poll gets its noop, then the session is gone. */
    private boolean awaitingLastPoll;

    /** @param socket the session's WebSocket from the start, or null for long-polling */
    EngineTransport(EngineSession session, EngineServer server, EngineSocket socket) {
        this.session = session;
        this.server = server;
        this.socket = socket;
        this.polling = socket == null;
    }

    /** Under the session's lock. */
    boolean isPolling() {
        return polling;
    }

    /** The WebSocket carrying the session, or null while polling; under the session's lock. */
    EngineSocket socket() {
        return socket;
    }

    /** The poll waiting for packets, taken to be answered, or null; under the session's lock. */
    PollingExchange takeParkedPoll() {
        PollingExchange poll = parkedPoll;
        parkedPoll = null;
        return poll;
    }

    /** The upgrade completed: the WebSocket carries the session from now on; under the session's lock. */
    void carryOn(EngineSocket upgraded) {
        socket = upgraded;
        polling = false;
    }

    boolean isCarriedBy(EngineSocket candidate) {
        synchronized (session) {
            return socket == candidate;
        }
    }

    /** A long-polling GET: answered at once with what is queued, or held until something is. */
    void poll(PollingExchange exchange) {
        boolean upgraded;
        boolean duplicate;
        boolean noop;
        synchronized (session) {
            boolean closed = session.isClosed();
            noop = (!closed && session.upgrade().isUpgrading()) || (closed && awaitingLastPoll);
            upgraded = !closed && !polling;
            duplicate = !noop && !upgraded && (closed || parkedPoll != null);
            if (!noop && !upgraded && !duplicate) {
                parkedPoll = exchange;
            }
            if (closed && awaitingLastPoll) {
                awaitingLastPoll = false;
                server.remove(session);
            }
        }
        if (noop) {
            exchange.respond(200, EngineServer.TEXT, EnginePacket.of(EnginePacket.Type.NOOP).encode(), Map.of());
        } else if (upgraded) {
            // Late polls of an upgraded session are refused; the session goes on over its WebSocket.
            server.refuse(exchange, EngineServer.Refusal.BAD_REQUEST);
        } else if (duplicate) {
            server.refuse(exchange, EngineServer.Refusal.BAD_REQUEST);
            session.close("multiple poll requests");
        } else {
            session.outgoing().flush();
        }
    }

    /** A long-polling POST: its packets, in order; one POST at a time. */
    void post(PollingExchange exchange) {
        String body = exchange.body();
        if (body == null) {
            exchange.respond(413, EngineServer.TEXT, "", Map.of());
            session.close("payload too large");
            return;
        }
        boolean upgraded;
        boolean accepted;
        synchronized (session) {
            boolean closed = session.isClosed();
            upgraded = !closed && !polling;
            accepted = !closed && polling && !posting && !body.isEmpty();
            posting |= accepted;
        }
        if (!accepted) {
            server.refuse(exchange, EngineServer.Refusal.BAD_REQUEST);
            if (!upgraded) {
                session.close("bad POST");
            }
            return;
        }
        boolean valid = true;
        try {
            synchronized (inbound) {
                for (String packet : EnginePacket.split(body)) {
                    if (!received(packet)) {
                        valid = false;
                        break;
                    }
                }
            }
        } finally {
            synchronized (session) {
                posting = false;
            }
        }
        if (valid) {
            exchange.respond(200, EngineServer.HTML, "ok", Map.of());
        } else {
            server.refuse(exchange, EngineServer.Refusal.BAD_REQUEST);
            session.close("invalid packet");
        }
    }

    /** The listener of the session's own WebSocket (WebSocket-only, or after the upgrade). */
    EngineSocket.Listener socketListener() {
        return new EngineSocket.Listener() {
            @Override
            public void text(String text) {
                boolean valid;
                synchronized (inbound) {
                    valid = received(text);
                }
                if (!valid) {
                    session.close("invalid packet");
                }
            }

            @Override
            public void binary(byte[] data) {
                if (data.length > server.options().maxPayload()) {
                    session.close("payload too large");
                    return;
                }
                boolean valid;
                synchronized (inbound) {
                    valid = handle(new EnginePacket.Binary(data));
                }
                if (!valid) {
                    session.close("invalid packet");
                }
            }

            @Override
            public void closed() {
                session.close("transport close");
            }
        };
    }

    /**
     * The session ends: the waiting poll is returned to be told, and the WebSocket to be closed; a client
     * that said goodbye while no poll waited may still poll once ({@link #poll} answers it a noop). Under
     * the session's lock.
     *
     * @return whether the session lingers for that last poll
     */
    boolean stop(boolean byClient) {
        awaitingLastPoll = byClient && polling && parkedPoll == null;
        return awaitingLastPoll;
    }

    /** Handles one inbound packet; false if it is not a valid one. Called holding {@code inbound}. */
    private boolean received(String text) {
        if (text.length() > server.options().maxPayload()) {
            return false;
        }
        return handle(EnginePacket.decode(text));
    }

    /** A bug above must not reach the container, nor leave the session half-handled: the packet is invalid, the session ends. */
    private boolean handle(EnginePacket.Decoded decoded) {
        try {
            return dispatch(decoded);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "an Engine.IO packet could not be handled; closing its session", e);
            return false;
        }
    }

    private boolean dispatch(EnginePacket.Decoded decoded) {
        if (decoded instanceof EnginePacket.Binary binary) {
            session.handler().binary(binary.data());
            return true;
        }
        if (!(decoded instanceof EnginePacket.Valid valid)) {
            return false;
        }
        switch (valid.packet().type()) {
            case MESSAGE -> session.handler().text(valid.packet().data());
            case PONG -> session.ponged();
            case CLOSE -> session.closedByClient();
            case NOOP -> {
                // Nothing to do: the client only ended a poll.
            }
            default -> {
                return false;
            }
        }
        return true;
    }
}
