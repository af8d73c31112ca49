package org.clubchat.socketio;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Queue: the packets waiting to go out, in order, and the one flush at a time that hands them to the
 * transport that carries the session now (a waiting poll's answer, or a write to its WebSocket).
 *
 * <p>{@code queue}, {@code writing} and {@code ending} are guarded by the session's lock, as the
 * transport's state the flush reads; nothing is written to the network while holding it.
 */
final class EngineOutgoing {
    static final IOException CLOSED = new IOException("the Engine.IO session is closed");

    /** A packet on its way out, and who to tell when it has gone (or could not go). */
    record Packet(String text, byte[] binary, Consumer<Throwable> done) {
        void done(Throwable failure) {
            if (done != null) {
                done.accept(failure);
            }
        }
    }

    private final EngineSession session;
    private final EngineServer server;
    private final ArrayDeque<Packet> queue = new ArrayDeque<>();
    /** A write to the WebSocket is under way. */
    private boolean writing;
    /** Set when the session should end once what is queued has gone out. */
    private boolean ending;

    EngineOutgoing(EngineSession session, EngineServer server) {
        this.session = session;
        this.server = server;
    }

    /** The open packet, first of all; under the session's lock. */
    void open(String openPacket) {
        queue.add(new Packet(openPacket, null, null));
    }

    /** An Engine.IO packet of the engine's own (a ping), on the engine's writers; dropped once the session ends. */
    void control(EnginePacket.Type type) {
        synchronized (session) {
            if (session.isClosed()) {
                return;
            }
            queue.add(new Packet(EnginePacket.of(type).encode(), null, null));
        }
        flushLater();
    }

    /** See {@link EngineSession#send}. */
    void send(List<String> messages, Consumer<Throwable> done, boolean onThisThread) {
        boolean refused;
        synchronized (session) {
            refused = session.isClosed() || ending;
            if (!refused) {
                for (int i = 0; i < messages.size(); i++) {
                    queue.add(new Packet("4" + messages.get(i), null, i == messages.size() - 1 ? done : null));
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

    void sendBinary(byte[] data) {
        synchronized (session) {
            if (session.isClosed() || ending) {
                return;
            }
            queue.add(new Packet(null, data, null));
        }
        flushLater();
    }

    /** Ends the session once what is queued has gone out (long-polling: with a {@code 1} to the client). */
    void end(boolean polling) {
        synchronized (session) {
            if (session.isClosed() || ending) {
                return;
            }
            ending = true;
            if (polling) {
                queue.add(new Packet(EnginePacket.of(EnginePacket.Type.CLOSE).encode(), null, null));
            }
        }
        flushLater();
    }

    /** Takes what is queued, for a close that drops it; under the session's lock. */
    List<Packet> drop() {
        List<Packet> dropped = new ArrayList<>(queue);
        queue.clear();
        return dropped;
    }

    void flushLater() {
        server.writers().execute(this::flush);
    }

    /** Writes what is queued to the current transport, if it can take it now. */
    void flush() {
        while (true) {
            List<Packet> batch;
            PollingExchange poll = null;
            EngineSocket ws = null;
            boolean endNow;
            synchronized (session) {
                if (session.isClosed() || queue.isEmpty()) {
                    return;
                }
                EngineTransport transport = session.transport();
                if (transport.isPolling()) {
                    if (session.upgrade().isUpgrading()) {
                        return;
                    }
                    poll = transport.takeParkedPoll();
                    if (poll == null) {
                        return;
                    }
                } else {
                    if (writing || transport.socket() == null) {
                        return;
                    }
                    writing = true;
                    ws = transport.socket();
                }
                batch = new ArrayList<>(queue);
                queue.clear();
                endNow = ending;
            }
            Throwable failure = poll != null ? respond(poll, batch) : write(ws, batch);
            batch.forEach(packet -> packet.done(failure));
            synchronized (session) {
                writing = false;
            }
            if (failure != null) {
                session.close("transport error");
                return;
            }
            if (endNow) {
                session.close("server close");
                return;
            }
        }
    }

    private static Throwable respond(PollingExchange poll, List<Packet> batch) {
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
    private static Throwable write(EngineSocket ws, List<Packet> batch) {
        try {
            List<String> texts = new ArrayList<>(batch.size());
            for (Packet packet : batch) {
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
}
