package org.clubchat.service;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Closes;
import org.clubchat.delivery.Outbox;
import org.clubchat.delivery.Transport;
import org.clubchat.metrics.Metrics;
import org.clubchat.security.Identity;

/**
 * The open connections of this server: admits each up to the limit, greets it, closes it when its token
 * expires, and forgets it (leaving its clubs) when it closes.
 *
 * <p>{@code open} is a concurrent set and {@code admitted} an atomic count: connections open and close
 * on adapter and closer threads. {@code admitted} counts the connections let in, including those still
 * being set up, so the limit holds exactly however many open at once.
 */
public final class Connections {
    private static final System.Logger LOG = System.getLogger(Connections.class.getName());

    private final Limits limits;
    private final ScheduledExecutorService timer;
    private final LongSupplier nanoClock;
    private final InstantSource wallClock;
    private final Metrics metrics;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger admitted = new AtomicInteger();

    /**
     * @param timer     runs the token expiries
     * @param nanoClock monotonic time for rate limits and idleness, as {@link System#nanoTime}
     * @param wallClock the time tokens expire in
     */
    public Connections(Limits limits, ScheduledExecutorService timer, LongSupplier nanoClock,
            InstantSource wallClock, Metrics metrics) {
        this.limits = limits;
        this.timer = timer;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.metrics = metrics;
    }

    /**
     * Registers a new connection (greeted by {@link ChatService#greet}), or closes it with 1013 when the
     * server already holds its limit of connections. When its token expires, it is closed with 1008.
     */
    public Optional<Connection> open(Identity identity, Outbox outbox) {
        if (admitted.incrementAndGet() > limits.maxConnections()) {
            admitted.decrementAndGet();
            outbox.close(Closes.SERVER_FULL);
            return Optional.empty();
        }
        Connection connection = new Connection(newConnectionId(), identity, outbox, limits, nanoClock.getAsLong());
        open.add(connection);
        metrics.connectionOpened(outbox.protocol());
        outbox.whenClosed(reason -> {
            if (reason == Closes.OUTBOX_OVERFLOW) {
                metrics.outboxOverflowed();
            }
            close(connection);
        });
        identity.expiresAt().ifPresent(at -> connection.expireWith(closeAt(outbox, at)));
        LOG.log(Level.DEBUG, "open {0} as {1}", connection.id(), identity.name());
        return Optional.of(connection);
    }

    /** A refreshed token's identity replaces the connection's, and its expiry the old one's. */
    void reauthorize(Connection connection, Identity fresh) {
        connection.reauthorize(fresh, fresh.expiresAt().map(at -> closeAt(connection.outbox(), at)).orElse(null));
    }

    /** Closes the connection with 1008 when its token expires. */
    private Future<?> closeAt(Outbox outbox, Instant at) {
        return timer.schedule(() -> outbox.close(Closes.TOKEN_EXPIRED),
                Math.max(0, Duration.between(wallClock.instant(), at).toMillis()), TimeUnit.MILLISECONDS);
    }

    /** Leaves every club the connection was in, telling the others; safe to call more than once. */
    public void close(Connection connection) {
        if (open.remove(connection)) {
            admitted.decrementAndGet();
            connection.close();
            LOG.log(Level.DEBUG, "closed {0}", connection.id());
        }
    }

    /**
     * Closes the connections with the largest backlogs, with 1013, dropping what is queued for them,
     * until at least {@code bytes} are freed: what a server over its outbox budget does so that it keeps
     * serving the rest. The clients reconnect and get what they missed from history.
     */
    public void shedLargestBacklogs(long bytes) {
        // Backlogs change while we look: sort by one reading of each, or the sort's order would not hold.
        record Backlog(Connection connection, long bytes) {
        }
        List<Backlog> byBacklog = new ArrayList<>();
        open.forEach(connection -> byBacklog.add(new Backlog(connection, connection.outbox().queuedBytes())));
        byBacklog.sort(Comparator.comparingLong(Backlog::bytes).reversed());
        long freed = 0;
        for (Backlog backlog : byBacklog) {
            if (freed >= bytes || backlog.bytes() == 0) {
                break;
            }
            backlog.connection().outbox().abort(Closes.SHED);
            metrics.connectionShed();
            freed += backlog.bytes();
        }
        LOG.log(Level.DEBUG, "outbox budget exceeded: shed {0} bytes", freed);
    }

    /**
     * What an operator's disconnect names: a user by display name or by token subject. Carried between
     * nodes as text ({@link #text}, {@link #parse}).
     */
    public record Disconnect(String field, String value) {
        public static final String NAME = "name";
        public static final String SUB = "sub";

        public String text() {
            return field + ":" + value;
        }

        /** The disconnect a {@link #text} names, or null for any other text. */
        public static Disconnect parse(String text) {
            int colon = text.indexOf(':');
            String field = colon < 0 ? "" : text.substring(0, colon);
            return field.equals(NAME) || field.equals(SUB) ? new Disconnect(field, text.substring(colon + 1)) : null;
        }

        boolean matches(Identity identity) {
            return (field.equals(NAME) ? identity.name() : identity.sender()).equals(value);
        }
    }

    /** Closes every connection of the user on this server with 1008; returns how many. */
    public int disconnect(Disconnect user) {
        int closed = 0;
        for (Connection connection : open) {
            if (user.matches(connection.identity())) {
                connection.outbox().close(Closes.DISCONNECTED);
                closed++;
            }
        }
        return closed;
    }

    /** Closes every open connection with the given reason (shutdown). */
    public void closeAll(Close reason) {
        open.forEach(connection -> connection.outbox().close(reason));
    }

    /** Open connections speaking this wire ({@link org.clubchat.delivery.Transport#protocol}); counted when asked. */
    public int size(String protocol) {
        return (int) open.stream().filter(connection -> connection.outbox().protocol().equals(protocol)).count();
    }

    /** Open connections by wire, every wire listed, counted when asked. */
    public Map<String, Integer> sizesByProtocol() {
        return Map.of(Transport.NATIVE, size(Transport.NATIVE), Transport.SOCKET_IO, size(Transport.SOCKET_IO));
    }

    public int size() {
        return open.size();
    }

    /** Runs {@code action} for each open connection; weakly consistent, as the set is concurrent. */
    void forEach(Consumer<Connection> action) {
        open.forEach(action);
    }

    /** Unique across nodes as well, unlike container session ids (Tomcat counts from 0). */
    private static String newConnectionId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
    }
}
