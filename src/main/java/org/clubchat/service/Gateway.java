package org.clubchat.service;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.clubchat.delivery.Closes;
import org.clubchat.delivery.Outbox;
import org.clubchat.delivery.OutboxBudget;
import org.clubchat.delivery.Transport;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.security.Identity;

/**
 * The core as a wire adapter sees it, and all that an adapter needs of it: open a connection over a
 * {@link Transport}, then report what arrives on it and when it ends. The Jakarta endpoint, the
 * launcher and any later wire (socket.io) call only this; what each event means is decided here and
 * below, never in an adapter.
 *
 * <p>An adapter reports one connection's events one at a time (the WebSocket API promises as much for
 * an endpoint instance); different connections' events come on any threads.
 */
public final class Gateway {
    /** How long a reported close waits for a send already under way; a client that stopped reading is not waited out. */
    private static final Duration DETACH_PATIENCE = Duration.ofSeconds(1);
    private final Connections connections;
    private final ChatService chat;
    private final Metrics metrics;
    private final long outboxMaxBytes;
    private final Executor writers;
    private final Executor blockingWriters;
    private final Executor closers;
    private final OutboxBudget budget;

    /**
     * @param writers         send the frames of outboxes whose transport does not block, so that a
     *                        fan-out under a club's lock only queues and what piles up for a member goes
     *                        out together
     * @param blockingWriters the same for transports whose sends block ({@link Transport#sendsBlock})
     * @param closers         run closes, which may block while a container writes a close frame, and
     *                        the clean-up after them, off the threads that decide them
     * @param budget          what all outboxes may hold together
     */
    public Gateway(Connections connections, ChatService chat, Limits limits, Metrics metrics, Executor writers,
            Executor blockingWriters, Executor closers, OutboxBudget budget) {
        this.connections = connections;
        this.chat = chat;
        this.metrics = metrics;
        this.outboxMaxBytes = limits.outboxMaxBytes();
        this.writers = writers;
        this.blockingWriters = blockingWriters;
        this.closers = closers;
        this.budget = budget;
    }

    /**
     * Admits a connection whose handshake the {@link org.clubchat.security.HandshakeGate} accepted, and
     * greets it once the application lets it in; empty if the server is full, in which case it is
     * already being closed with 1013.
     */
    public Optional<Connection> open(Identity identity, Transport transport) {
        Executor sender = transport.sendsBlock() ? blockingWriters : writers;
        Optional<Connection> opened = connections.open(identity, new Outbox(transport, outboxMaxBytes, budget, sender, closers));
        opened.ifPresent(chat::greet);
        return opened;
    }

    /** A text message, decoded by the adapter's codec. */
    public void received(Connection connection, DecodeResult message) {
        chat.handle(connection, message);
    }

    /**
     * Leaves a club on the adapter's own account, not the client's (socket.io undoing a recovery that
     * failed): no allowance, no hook; {@code left} carries {@code requestId}. Does nothing if not a member.
     */
    public void leave(Connection connection, String clubId, String requestId) {
        connection.leave(clubId, requestId);
    }

    /** A pong, or any other sign of life that is not a message. */
    public void heard(Connection connection) {
        chat.heard(connection);
    }

    /** A binary message: chat is text, so the connection is closed with 1003. */
    public void binaryReceived(Connection connection) {
        metrics.frameReceived(Metrics.BINARY);
        connection.outbox().close(Closes.BINARY_FRAME);
    }

    /** Something the adapter did not expect went wrong on the connection: it is closed with 1011. */
    public void failed(Connection connection) {
        connection.outbox().close(Closes.SERVER_ERROR);
    }

    /**
     * The connection has closed, with this close code. First, on the adapter's thread, its outbox stops
     * and waits (briefly) for a send of ours already under way: adapters report the close before the
     * container tears the connection down (Tyrus does), and a write racing that teardown can land in
     * the next connection's recycled buffers. Its clubs are then left on a closer thread: an adapter
     * may report a close on the thread of a failing write, and while the server stops (its writers
     * gone) a write runs on the thread that offered it, inside a club's lock, where leaving the club
     * would change it under its own iteration. Once the closers have stopped too, it happens right here.
     */
    public void closed(Connection connection, int closeCode) {
        connection.outbox().detach(DETACH_PATIENCE);
        metrics.connectionClosed(closeCode);
        Runnable leave = () -> connections.close(connection);
        try {
            closers.execute(leave);
        } catch (RejectedExecutionException e) {
            leave.run();
        }
    }

    public int openConnections() {
        return connections.size();
    }
}
