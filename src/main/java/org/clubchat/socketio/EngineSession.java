package org.clubchat.socketio;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One Engine.IO 4 session: its transport (long-polling, then perhaps a WebSocket after an upgrade, or a
 * WebSocket from the start), the packets waiting for it, and its heartbeat.
 *
 * <p>The fields below are guarded by {@code this}; nothing is written to the network while holding it:
 * packets are taken under the lock and written after it. Inbound packets are handed to the handler under
 * {@code inbound}, so it sees them one at a time and in order even while an upgrade moves the session from
 * one transport to the other. {@code inbound} is taken before {@code this}, never after.
 */
public final class EngineSession {
    private static final System.Logger LOG = System.getLogger(EngineSession.class.getName());
    private static final IOException CLOSED = new IOException("the Engine.IO session is closed");

    private final String id;
    private final EngineServer server;
    private final Map<String, String> query;
    private final Object inbound = new Object();
    /** Set once in {@link #start}, before the client can know the session's id; volatile for the threads that read it. */
    private volatile EngineHandler handler;

    private final ArrayDeque<Outgoing> queue = new ArrayDeque<>();
    /** Long-polling until an upgrade completes; a WebSocket-only session never is. */
    private boolean polling;
    private PollingExchange parkedPoll;
    private boolean posting;
    private EngineSocket socket;
    private EngineSocket probe;
    /** The probe has answered: polls end at once with a noop, and packets wait for the WebSocket. */
    private boolean upgrading;
    /** Closed by the client's {@code 1} while no poll was waiting: the next poll gets its noop, then the session is gone. */
    private boolean awaitingLastPoll;
    private boolean writing;
    /** Set when the session should end once what is queued has gone out. */
    private boolean ending;
    private boolean closed;
    private ScheduledFuture<?> heartbeat;
    private ScheduledFuture<?> upgradeTimeout;

    /** A packet on its way out, and who to tell when it has gone (or could not go). */
    private record Outgoing(String text, byte[] binary, Consumer<Throwable> done) {
    }

    EngineSession(String id, EngineServer server, Map<String, String> query, EngineSocket socket) {
        this.id = id;
        this.server = server;
        this.query = Map.copyOf(query);
        this.socket = socket;
        this.polling = socket == null;
    }

    /** Starts the session: the handler, the open packet, the first ping. */
    void start(EngineHandler.Factory handlers, String openPacket) {
        handler = handlers.open(this);
        synchronized (this) {
            queue.add(new Outgoing(openPacket, null, null));
            heartbeat = server.schedule(this::ping, server.options().pingInterval());
        }
        flushLater();
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
        boolean refused;
        synchronized (this) {
            refused = closed || ending;
            if (!refused) {
                for (int i = 0; i < messages.size(); i++) {
                    queue.add(new Outgoing("4" + messages.get(i), null, i == messages.size() - 1 ? done : null));
                }
            }
        }
        if (refused || messages.isEmpty()) {
            done.accept(refused ? CLOSED : null);
            return;
        }
        if (onThisThread) {
            flush();
        } else {
            flushLater();
        }
    }

    /** Sends one binary message, on the engine's writers. */
    public void sendBinary(byte[] data) {
        synchronized (this) {
            if (closed || ending) {
                return;
            }
            queue.add(new Outgoing(null, data, null));
        }
        flushLater();
    }

    /** Ends the session once what is already queued has gone out (long-polling: with a {@code 1} to the client). */
    public void end() {
        synchronized (this) {
            if (closed || ending) {
                return;
            }
            ending = true;
            if (polling) {
                queue.add(new Outgoing(EnginePacket.of(EnginePacket.Type.CLOSE).encode(), null, null));
            }
        }
        flushLater();
    }

    /** Ends the session at once; what is queued is dropped. */
    public void close(String reason) {
        close(reason, false);
    }

    // ---- from the adapters, through the server

    /** A long-polling GET: answered at once with what is queued, or held until something is. */
    void poll(PollingExchange exchange) {
        boolean upgraded;
        boolean duplicate;
        boolean noop;
        synchronized (this) {
            noop = (!closed && upgrading) || (closed && awaitingLastPoll);
            upgraded = !closed && !polling;
            duplicate = !noop && !upgraded && (closed || parkedPoll != null);
            if (!noop && !upgraded && !duplicate) {
                parkedPoll = exchange;
            }
            if (closed && awaitingLastPoll) {
                awaitingLastPoll = false;
                server.remove(this);
            }
        }
        if (noop) {
            exchange.respond(200, EngineServer.TEXT, EnginePacket.of(EnginePacket.Type.NOOP).encode(), Map.of());
        } else if (upgraded) {
            // Late polls of an upgraded session are refused; the session goes on over its WebSocket.
            server.refuse(exchange, EngineServer.Refusal.BAD_REQUEST);
        } else if (duplicate) {
            server.refuse(exchange, EngineServer.Refusal.BAD_REQUEST);
            close("multiple poll requests", false);
        } else {
            flush();
        }
    }

    /** A long-polling POST: its packets, in order; one POST at a time. */
    void post(PollingExchange exchange) {
        String body = exchange.body();
        if (body == null) {
            exchange.respond(413, EngineServer.TEXT, "", Map.of());
            close("payload too large", false);
            return;
        }
        boolean upgraded;
        boolean accepted;
        synchronized (this) {
            upgraded = !closed && !polling;
            accepted = !closed && polling && !posting && !body.isEmpty();
            posting |= accepted;
        }
        if (!accepted) {
            server.refuse(exchange, EngineServer.Refusal.BAD_REQUEST);
            if (!upgraded) {
                close("bad POST", false);
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
            synchronized (this) {
                posting = false;
            }
        }
        if (valid) {
            exchange.respond(200, EngineServer.HTML, "ok", Map.of());
        } else {
            server.refuse(exchange, EngineServer.Refusal.BAD_REQUEST);
            close("invalid packet", false);
        }
    }

    /**
     * A WebSocket with this session's id, probing an upgrade; null if the session cannot take one (it
     * has one already), in which case the adapter closes it.
     */
    EngineSocket.Listener probe(EngineSocket candidate) {
        synchronized (this) {
            if (closed || !polling || probe != null) {
                return null;
            }
            probe = candidate;
            upgradeTimeout = server.schedule(() -> abandonProbe(candidate), server.options().upgradeTimeout());
        }
        EngineSocket.Listener own = socketListener();
        return new EngineSocket.Listener() {
            @Override
            public void text(String text) {
                if (isUpgradedTo(candidate)) {
                    own.text(text);
                } else {
                    probeText(candidate, text);
                }
            }

            @Override
            public void binary(byte[] data) {
                if (isUpgradedTo(candidate)) {
                    own.binary(data);
                } else {
                    abandonProbe(candidate);
                }
            }

            @Override
            public void closed() {
                if (isUpgradedTo(candidate)) {
                    own.closed();
                } else {
                    abandonProbe(candidate);
                }
            }
        };
    }

    private synchronized boolean isUpgradedTo(EngineSocket candidate) {
        return socket == candidate;
    }

    /** The listener of this session's own WebSocket (WebSocket-only, or after the upgrade). */
    EngineSocket.Listener socketListener() {
        return new EngineSocket.Listener() {
            @Override
            public void text(String text) {
                boolean valid;
                synchronized (inbound) {
                    valid = received(text);
                }
                if (!valid) {
                    close("invalid packet", false);
                }
            }

            @Override
            public void binary(byte[] data) {
                if (data.length > server.options().maxPayload()) {
                    close("payload too large", false);
                    return;
                }
                boolean valid;
                synchronized (inbound) {
                    valid = receivedBinary(data);
                }
                if (!valid) {
                    close("invalid packet", false);
                }
            }

            @Override
            public void closed() {
                close("transport close", false);
            }
        };
    }

    private void probeText(EngineSocket candidate, String text) {
        PollingExchange released = null;
        boolean upgraded = false;
        synchronized (this) {
            if (closed || probe != candidate) {
                return;
            }
            if (text.equals("2probe")) {
                upgrading = true;
                released = parkedPoll;
                parkedPoll = null;
            } else if (text.equals("5")) {
                upgrading = false;
                probe = null;
                socket = candidate;
                polling = false;
                upgraded = true;
                released = parkedPoll;
                parkedPoll = null;
                if (upgradeTimeout != null) {
                    upgradeTimeout.cancel(false);
                }
            } else {
                return;
            }
        }
        if (text.equals("2probe")) {
            try {
                candidate.sendText("3probe");
            } catch (IOException e) {
                abandonProbe(candidate);
                return;
            }
        }
        if (released != null) {
            // The poll that was waiting ends, so the client can move to the WebSocket.
            released.respond(200, EngineServer.TEXT, EnginePacket.of(EnginePacket.Type.NOOP).encode(), Map.of());
        }
        if (upgraded) {
            flushLater();
        }
    }

    private void abandonProbe(EngineSocket candidate) {
        synchronized (this) {
            if (probe != candidate) {
                return;
            }
            probe = null;
            upgrading = false;
        }
        candidate.close();
        flushLater();
    }

    /** Handles one inbound packet; false if it is not a valid one. Called holding {@code inbound}. */
    private boolean received(String text) {
        if (text.length() > server.options().maxPayload()) {
            return false;
        }
        return handle(EnginePacket.decode(text));
    }

    /** A binary message of the WebSocket transport; false if the layers above failed on it. Called holding {@code inbound}. */
    private boolean receivedBinary(byte[] data) {
        return handle(new EnginePacket.Binary(data));
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
            handler.binary(binary.data());
            return true;
        }
        if (!(decoded instanceof EnginePacket.Valid valid)) {
            return false;
        }
        switch (valid.packet().type()) {
            case MESSAGE -> handler.text(valid.packet().data());
            case PONG -> ponged();
            case CLOSE -> close("forced close", true);
            case NOOP -> {
                // Nothing to do: the client only ended a poll.
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    // ---- heartbeat

    private void ping() {
        synchronized (this) {
            if (closed) {
                return;
            }
            queue.add(new Outgoing(EnginePacket.of(EnginePacket.Type.PING).encode(), null, null));
            heartbeat = server.schedule(() -> close("ping timeout", false), server.options().pingTimeout());
        }
        flushLater();
    }

    private void ponged() {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
            heartbeat = server.schedule(this::ping, server.options().pingInterval());
        }
        handlerHeard();
    }

    private void handlerHeard() {
        if (handler instanceof Heard heard) {
            heard.heard();
        }
    }

    /** A handler that wants to know of every sign of life, pongs included. */
    public interface Heard {
        void heard();
    }

    // ---- writing

    private void flushLater() {
        server.writers().execute(this::flush);
    }

    /** Writes what is queued to the current transport, if it can take it now. */
    private void flush() {
        while (true) {
            List<Outgoing> batch;
            PollingExchange poll = null;
            EngineSocket ws = null;
            boolean endNow;
            synchronized (this) {
                if (closed || queue.isEmpty()) {
                    return;
                }
                if (polling) {
                    if (parkedPoll == null || upgrading) {
                        return;
                    }
                    poll = parkedPoll;
                    parkedPoll = null;
                } else {
                    if (writing || socket == null) {
                        return;
                    }
                    writing = true;
                    ws = socket;
                }
                batch = new ArrayList<>(queue);
                queue.clear();
                endNow = ending;
            }
            Throwable failure = poll != null ? respond(poll, batch) : write(ws, batch);
            batch.forEach(packet -> {
                if (packet.done() != null) {
                    packet.done().accept(failure);
                }
            });
            synchronized (this) {
                writing = false;
            }
            if (failure != null) {
                close("transport error", false);
                return;
            }
            if (endNow) {
                close("server close", false);
                return;
            }
        }
    }

    private static Throwable respond(PollingExchange poll, List<Outgoing> batch) {
        String body = EnginePacket.joinEncoded(batch.stream()
                .map(packet -> packet.text() != null ? packet.text() : EnginePacket.encodeBinary(packet.binary())).toList());
        try {
            poll.respond(200, EngineServer.TEXT, body, Map.of());
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** Writes the batch: each run of text messages in one call, so an adapter can make it one write. */
    private static Throwable write(EngineSocket ws, List<Outgoing> batch) {
        try {
            List<String> texts = new ArrayList<>(batch.size());
            for (Outgoing packet : batch) {
                if (packet.text() != null) {
                    texts.add(packet.text());
                    continue;
                }
                if (!texts.isEmpty()) {
                    ws.sendTexts(texts);
                    texts.clear();
                }
                ws.sendBinary(packet.binary());
            }
            if (!texts.isEmpty()) {
                ws.sendTexts(texts);
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return e;
        }
    }

    private void close(String reason, boolean byClient) {
        PollingExchange poll;
        EngineSocket ws;
        EngineSocket probing;
        List<Outgoing> dropped;
        boolean lingering;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
            if (upgradeTimeout != null) {
                upgradeTimeout.cancel(false);
            }
            poll = parkedPoll;
            parkedPoll = null;
            ws = socket;
            probing = probe;
            dropped = new ArrayList<>(queue);
            queue.clear();
            awaitingLastPoll = byClient && polling && poll == null;
            lingering = awaitingLastPoll;
            if (lingering) {
                // Held only briefly: a client that said goodbye polls at once, if at all.
                server.schedule(() -> server.remove(this), server.options().pingTimeout());
            }
        }
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
        dropped.forEach(packet -> {
            if (packet.done() != null) {
                packet.done().accept(CLOSED);
            }
        });
        if (handler != null) {
            handler.closed(reason);
        }
    }
}
