package org.clubchat.service;

import jakarta.websocket.CloseReason;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.clubchat.Settings;
import org.clubchat.club.ClubStore;
import org.clubchat.delivery.Closes;
import org.clubchat.delivery.Outbox;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ClubIds;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Inbound;
import org.clubchat.protocol.Names;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;
import org.clubchat.security.Identity;

/**
 * What the server does with each client message: one method per message type, replies and errors
 * included, and the limits that protect everyone from one connection. Knows nothing of WebSocket; the
 * endpoint turns container callbacks into these calls.
 *
 * <p>{@code open} is a concurrent set and {@code admitted} an atomic count: connections open and close
 * on container threads. {@code admitted} counts the connections let in, including those still being
 * set up, so the connection limit holds exactly however many open at once.
 */
public final class ChatService {
    private static final System.Logger LOG = System.getLogger(ChatService.class.getName());
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);

    private final ClubStore clubs;
    private final ProtocolCodec codec;
    private final int maxMessageLength;
    private final int maxConnections;
    private final Connection.Limits limits;
    private final long pingIntervalNanos;
    private final long idleTimeoutNanos;
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
    public ChatService(ClubStore clubs, ProtocolCodec codec, Settings settings, ScheduledExecutorService timer,
            LongSupplier nanoClock, InstantSource wallClock, Metrics metrics) {
        this.clubs = clubs;
        this.codec = codec;
        this.maxMessageLength = settings.maxMessageLength();
        this.maxConnections = settings.maxConnections();
        this.limits = new Connection.Limits(settings.ratePerSecond(), settings.rateBurst(), settings.floodTolerance(),
                settings.maxClubs());
        this.pingIntervalNanos = settings.pingInterval().toNanos();
        this.idleTimeoutNanos = settings.idleTimeout().toNanos();
        this.timer = timer;
        this.nanoClock = nanoClock;
        this.wallClock = wallClock;
        this.metrics = metrics;
    }

    /**
     * Registers a new connection and greets it with {@code welcome}, or closes it with 1013 when the
     * server already holds its limit of connections. When its token expires, it is closed with 1008.
     */
    public Optional<Connection> open(Identity identity, Outbox outbox) {
        if (admitted.incrementAndGet() > maxConnections) {
            admitted.decrementAndGet();
            outbox.close(Closes.SERVER_FULL);
            return Optional.empty();
        }
        Connection connection = new Connection(newConnectionId(), identity, outbox, limits, nanoClock.getAsLong());
        open.add(connection);
        metrics.connectionOpened();
        outbox.whenClosed(reason -> {
            if (reason == Closes.OUTBOX_OVERFLOW) {
                metrics.outboxOverflowed();
            }
            close(connection);
        });
        identity.expiresAt().ifPresent(at -> connection.expireWith(timer.schedule(
                () -> outbox.close(Closes.TOKEN_EXPIRED),
                Math.max(0, Duration.between(wallClock.instant(), at).toMillis()), TimeUnit.MILLISECONDS)));
        outbox.offer(codec.frame(new ServerMessage.Welcome(connection.id(), identity.name(), ServerMessage.PROTOCOL_VERSION)));
        LOG.log(Level.DEBUG, "open {0} as {1}", connection.id(), identity.name());
        return Optional.of(connection);
    }

    /**
     * One incoming text message. Every frame, well-formed or not, takes from the connection's rate
     * limit; a frame over it gets its own error if it has one (PROTOCOL.md's precedence), else
     * {@code rate_limited}; a connection that keeps on past its flood tolerance is closed with 1008.
     */
    public void handle(Connection connection, DecodeResult result) {
        long now = nanoClock.getAsLong();
        connection.heard(now);
        metrics.frameReceived(typeOf(result));
        if (result instanceof DecodeResult.TooBig) {
            connection.outbox().close(Closes.TOO_BIG);
            return;
        }
        Connection.Flow flow = connection.admitFrame(now);
        if (flow == Connection.Flow.FLOODING) {
            connection.outbox().close(Closes.FLOODING);
        } else if (result instanceof DecodeResult.Rejected rejected) {
            error(connection, rejected.code(), rejected.detail(), rejected.requestId());
        } else if (flow == Connection.Flow.RATE_LIMITED) {
            Inbound inbound = ((DecodeResult.Decoded) result).inbound();
            error(connection, ErrorCode.RATE_LIMITED, "slow down: over " + limits.ratePerSecond() + " messages a second",
                    inbound.requestId());
        } else if (result instanceof DecodeResult.Decoded decoded) {
            dispatch(connection, decoded.inbound());
        } else {
            throw new IllegalStateException("unhandled " + result);
        }
    }

    private static String typeOf(DecodeResult result) {
        if (result instanceof DecodeResult.Decoded decoded) {
            return decoded.inbound().body().type();
        }
        return result instanceof DecodeResult.TooBig ? Metrics.TOO_BIG : Metrics.INVALID;
    }

    /** A pong or any other sign of life that is not a message. */
    public void heard(Connection connection) {
        connection.heard(nanoClock.getAsLong());
    }

    /**
     * Pings each connection that has been quiet for a ping interval and closes each that has been silent
     * past the idle timeout: a peer gone without a close (a dead TCP connection) answers nothing.
     */
    public void keepAlive() {
        long now = nanoClock.getAsLong();
        for (Connection connection : open) {
            long quiet = now - connection.lastHeard();
            if (quiet > idleTimeoutNanos) {
                connection.outbox().close(Closes.IDLE);
            } else if (quiet >= pingIntervalNanos) {
                connection.outbox().ping();
            }
        }
    }

    /** Leaves every club the connection was in, telling the others; safe to call more than once. */
    public void close(Connection connection) {
        if (open.remove(connection)) {
            admitted.decrementAndGet();
            connection.close();
            LOG.log(Level.DEBUG, "closed {0}", connection.id());
        }
    }

    /** Closes every open connection with the given reason (shutdown). */
    public void closeAll(CloseReason reason) {
        open.forEach(connection -> connection.outbox().close(reason));
    }

    public int openConnections() {
        return open.size();
    }

    /** The single dispatch over {@link ClientMessage}; a test checks that every permitted type is here. */
    private void dispatch(Connection connection, Inbound inbound) {
        ClientMessage message = inbound.body();
        String requestId = inbound.requestId();
        if (message instanceof ClientMessage.Ping) {
            connection.outbox().offer(codec.frame(ServerMessage.Pong.INSTANCE, requestId));
            return;
        }
        String clubId = clubOf(message);
        if (!connection.identity().mayUse(clubId)) {
            error(connection, ErrorCode.FORBIDDEN, "your token does not allow club " + clubId, requestId);
        } else if (message instanceof ClientMessage.Join join) {
            if (!connection.join(clubs, join, requestId)) {
                error(connection, ErrorCode.TOO_MANY_CLUBS, "already in " + limits.maxClubs() + " clubs, the most allowed",
                        requestId);
            }
        } else if (message instanceof ClientMessage.Leave leave) {
            if (!connection.leave(leave.clubId(), requestId)) {
                notMember(connection, leave.clubId(), requestId);
            }
        } else if (message instanceof ClientMessage.Chat chat) {
            chat(connection, chat, requestId);
        } else {
            throw new IllegalStateException("unhandled " + message);
        }
    }

    private static String clubOf(ClientMessage message) {
        if (message instanceof ClientMessage.Join join) {
            return join.clubId();
        } else if (message instanceof ClientMessage.Leave leave) {
            return leave.clubId();
        } else if (message instanceof ClientMessage.Chat chat) {
            return chat.clubId();
        }
        throw new IllegalStateException("no club in " + message);
    }

    private void chat(Connection connection, ClientMessage.Chat chat, String requestId) {
        if (!connection.isMember(chat.clubId())) {
            notMember(connection, chat.clubId(), requestId);
            return;
        }
        String tooLong = lengthProblem(chat.message());
        if (tooLong != null) {
            error(connection, ErrorCode.TOO_LONG, tooLong, requestId);
            return;
        }
        if (!connection.chat(chat.clubId(), chat.message(), requestId)) {
            notMember(connection, chat.clubId(), requestId);
        }
    }

    /** Why the message's length is refused, or null when it is fine. */
    private String lengthProblem(String message) {
        int length = Names.codePointLength(message);
        return length == 0 || length > maxMessageLength
                ? "message must be 1-" + maxMessageLength + " characters, was " + length : null;
    }

    /** What became of a message published from outside the club. */
    public sealed interface Publication {
    }

    public record Published(long seq) implements Publication {
    }

    public record Refused(ErrorCode code, String detail) implements Publication {
    }

    /**
     * A message from a backend (the HTTP publish API) into a club: checked by the rules a member's chat
     * meets, then delivered to every member as an ordinary {@code chat} with the club's next seq.
     */
    public Publication publish(String clubId, String from, String message) {
        if (!ClubIds.isValid(clubId)) {
            return new Refused(ErrorCode.INVALID_CLUB, "clubId must be 1-64 characters of A-Z a-z 0-9 _ - .");
        }
        if (!Names.isValid(from)) {
            return new Refused(ErrorCode.BAD_REQUEST, "from must be 1-32 characters without control characters");
        }
        if (!Names.isWellFormed(message)) {
            return new Refused(ErrorCode.BAD_REQUEST, "message must be Unicode text: it has an unpaired surrogate");
        }
        String tooLong = lengthProblem(message);
        if (tooLong != null) {
            return new Refused(ErrorCode.TOO_LONG, tooLong);
        }
        try {
            return new Published(clubs.publish(clubId, from, message).toCompletableFuture()
                    .get(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException e) {
            return new Refused(ErrorCode.UNAVAILABLE, "the message could not be stored; try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Refused(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    private void notMember(Connection connection, String clubId, String requestId) {
        error(connection, ErrorCode.NOT_MEMBER, "not a member of club " + clubId, requestId);
    }

    private void error(Connection connection, ErrorCode code, String detail, String requestId) {
        metrics.errorSent(code);
        connection.outbox().offer(codec.frame(new ServerMessage.Error(code, detail), requestId));
    }

    /** Unique across nodes as well, unlike container session ids (Tomcat counts from 0). */
    private static String newConnectionId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
    }
}
