package org.clubchat.socketio;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;

/**
 * One Engine.IO 4 session as the layers above see it (its id, its query, what they send), and its end.
 * Its jobs are the classes beside it: {@link EngineTransport} (long-polling or its WebSocket, and what the
 * client sends), {@link EngineUpgrade} (the move from one to the other), {@link EngineOutgoing} (the
 * packets waiting to go out) and {@link EngineHeartbeat} (pings).
 *
 * <p>The session's lock is its monitor: it guards {@code closed} here and the state of the transport, the
 * upgrade and the queue, which move together. Nothing is written to the network while holding it: packets
 * are taken under the lock and written after it.
 */
public final class EngineSession {
    private final String id;
    private final EngineServer server;
    private final Map<String, String> query;
    private final EngineTransport transport;
    private final EngineUpgrade upgrade;
    private final EngineOutgoing outgoing;
    private final EngineHeartbeat heartbeat;
    /** Set once in {@link #start}, before the client can know the session's id; volatile for the threads that read it. */
    private volatile EngineHandler handler;
    private boolean closed;

    /** @param socket the session's WebSocket when it starts on one, or null for long-polling */
    EngineSession(String id, EngineServer server, Map<String, String> query, EngineSocket socket) {
        this.id = id;
        this.server = server;
        this.query = Map.copyOf(query);
        this.transport = new EngineTransport(this, server, socket);
        this.upgrade = new EngineUpgrade(this, server);
        this.outgoing = new EngineOutgoing(this, server);
        this.heartbeat = new EngineHeartbeat(this, server);
    }

    /** Starts the session: the handler, the open packet, the first ping. */
    void start(EngineHandler.Factory handlers, String openPacket) {
        handler = handlers.open(this);
        synchronized (this) {
            outgoing.open(openPacket);
        }
        heartbeat.start();
        outgoing.flushLater();
    }

    public String id() {
        return id;
    }

    /** The most bytes one message of the client may carry, as the open packet announced. */
    public int maxPayload() {
        return server.options().maxPayload();
    }

    /** A fresh random id, for the layers above. */
    public String newId() {
        return server.newId();
    }

    /** The handshake request's query parameters, decoded. */
    public Map<String, String> query() {
        return query;
    }

    /** Schedules a task on the engine's timer, for the layers above. */
    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return server.schedule(task, delay);
    }

    /**
     * Sends these messages (each one Engine.IO {@code MESSAGE}) in order; {@code done} gets null once all
     * are written (or, in long-polling, handed to a poll), or the failure. With {@code onThisThread} the
     * write happens on the calling thread, which may then block; otherwise on the engine's writers.
     */
    public void send(List<String> messages, Consumer<Throwable> done, boolean onThisThread) {
        outgoing.send(messages, done, onThisThread);
    }

    /** Sends one binary message, on the engine's writers. */
    public void sendBinary(byte[] data) {
        outgoing.sendBinary(data);
    }

    /** Ends the session once what is already queued has gone out (long-polling: with a {@code 1} to the client). */
    public void end() {
        boolean polling;
        synchronized (this) {
            polling = transport.isPolling();
        }
        outgoing.end(polling);
    }

    /** Ends the session at once; what is queued is dropped. */
    public void close(String reason) {
        close(reason, false);
    }

    /** A handler that wants to know of every sign of life, pongs included. */
    public interface Heard {
        void heard();
    }

    // ---- for the parts beside it and the server

    /** Under the session's lock, or as a hint without it. */
    synchronized boolean isClosed() {
        return closed;
    }

    EngineTransport transport() {
        return transport;
    }

    EngineUpgrade upgrade() {
        return upgrade;
    }

    EngineOutgoing outgoing() {
        return outgoing;
    }

    EngineHandler handler() {
        return handler;
    }

    /** A long-polling GET. */
    void poll(PollingExchange exchange) {
        transport.poll(exchange);
    }

    /** A long-polling POST. */
    void post(PollingExchange exchange) {
        transport.post(exchange);
    }

    /** A WebSocket with this session's id, probing an upgrade; null if the session cannot take one. */
    EngineSocket.Listener probe(EngineSocket candidate) {
        return upgrade.probe(candidate);
    }

    /** The listener of a WebSocket-only session's WebSocket. */
    EngineSocket.Listener socketListener() {
        return transport.socketListener();
    }

    /** The client answered a ping: it is alive. */
    void ponged() {
        heartbeat.ponged();
        if (handler instanceof Heard heard) {
            heard.heard();
        }
    }

    /** The client's own {@code 1}. */
    void closedByClient() {
        close("forced close", true);
    }

    private void close(String reason, boolean byClient) {
        PollingExchange poll;
        EngineSocket ws;
        EngineSocket probing;
        List<EngineOutgoing.Packet> dropped;
        boolean lingering;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            lingering = transport.stop(byClient);
            poll = transport.takeParkedPoll();
            ws = transport.socket();
            probing = upgrade.stop();
            dropped = outgoing.drop();
            if (lingering) {
                // Held only briefly: a client that said goodbye polls at once, if at all.
                server.schedule(() -> server.remove(this), server.options().pingTimeout());
            }
        }
        heartbeat.stop();
        if (!lingering) {
            server.remove(this);
        }
        if (poll != null) {
            // The client asked to close: its poll ends quietly; otherwise it learns of the close.
            EnginePacket.Type type = byClient ? EnginePacket.Type.NOOP : EnginePacket.Type.CLOSE;
            try {
                poll.respond(200, EngineServer.TEXT, EnginePacket.of(type).encode(), Map.of());
            } catch (RuntimeException e) {
                // The client has gone already.
            }
        }
        if (ws != null) {
            ws.close();
        }
        if (probing != null) {
            probing.close();
        }
        dropped.forEach(packet -> packet.done(EngineOutgoing.CLOSED));
        if (handler != null) {
            handler.closed(reason);
        }
    }
}
