package org.clubchat.service;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.clubchat.club.ClubStore;
import org.clubchat.delivery.Closes;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ClubIds;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Inbound;
import org.clubchat.protocol.Names;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.SendKeys;
import org.clubchat.hooks.ClubChatHooks;
import org.clubchat.protocol.ServerMessage;
import org.clubchat.security.Identity;
import org.clubchat.security.TokenVerifier;

/**
 * What the server does with each client message: one method per message type, replies and errors
 * included, and the per-connection limits that protect everyone from one connection. Knows nothing of
 * any wire; adapters reach it through {@link Gateway}. Holds no state of its own: connections and clubs
 * keep theirs.
 */
public final class ChatService {
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);

    private final ClubStore clubs;
    private final ProtocolCodec codec;
    private final Limits limits;
    private final LongSupplier nanoClock;
    private final Metrics metrics;
    private final Connections connections;
    private final TokenVerifier tokens;
    private final HookRunner hooks;

    /**
     * @param nanoClock monotonic time for rate limits and idleness, as {@link System#nanoTime}
     * @param tokens    token mode's verifier, for {@code auth}; null in open mode
     * @param hooks     the application's hooks, or null for none
     */
    public ChatService(ClubStore clubs, ProtocolCodec codec, Limits limits, LongSupplier nanoClock, Metrics metrics,
            Connections connections, TokenVerifier tokens, HookRunner hooks) {
        this.hooks = hooks != null && hooks.active() ? hooks : null;
        this.connections = connections;
        this.tokens = tokens;
        this.clubs = clubs;
        this.codec = codec;
        this.limits = limits;
        this.nanoClock = nanoClock;
        this.metrics = metrics;
    }

    /**
     * One incoming text message. Every frame, well-formed or not, takes from the connection's allowance
     * ({@link SendAllowance}); a frame over it gets its own error if it has one (docs/protocol.md's
     * precedence), else {@code rate_limited}; a connection that keeps on flooding is closed with 1008.
     */
    public void handle(Connection connection, DecodeResult result) {
        if (hooks == null || connection.inbound().runNowOrQueue(() -> handleInOrder(connection, result))) {
            handleInOrder(connection, result);
        }
    }

    private void handleInOrder(Connection connection, DecodeResult result) {
        long now = nanoClock.getAsLong();
        connection.heard(now);
        metrics.frameReceived(typeOf(result));
        if (result instanceof DecodeResult.TooBig) {
            connection.outbox().close(Closes.TOO_BIG);
            return;
        }
        boolean membershipChange = isMembershipChange(result);
        SendAllowance.Verdict verdict = connection.admitFrame(membershipChange, now);
        if (verdict == SendAllowance.Verdict.FLOODING) {
            connection.outbox().close(Closes.FLOODING);
        } else if (result instanceof DecodeResult.Rejected rejected) {
            error(connection, rejected.code(), rejected.detail(), rejected.requestId());
        } else if (verdict == SendAllowance.Verdict.RATE_LIMITED) {
            Inbound inbound = ((DecodeResult.Decoded) result).inbound();
            error(connection, ErrorCode.RATE_LIMITED, membershipChange
                    ? "slow down: over " + limits.maxClubs() + " joins and leaves at once"
                    : "slow down: over " + limits.ratePerSecond() + " messages a second", inbound.requestId());
        } else if (result instanceof DecodeResult.Decoded decoded) {
            dispatch(connection, decoded.inbound());
        } else {
            throw new IllegalStateException("unhandled " + result);
        }
    }

    private static boolean isMembershipChange(DecodeResult result) {
        if (result instanceof DecodeResult.Decoded decoded) {
            ClientMessage body = decoded.inbound().body();
            return body instanceof ClientMessage.Join || body instanceof ClientMessage.Leave;
        }
        return false;
    }

    private static String typeOf(DecodeResult result) {
        if (result instanceof DecodeResult.Decoded decoded) {
            return decoded.inbound().body().type();
        }
        return result instanceof DecodeResult.TooBig ? Metrics.TOO_BIG : Metrics.INVALID;
    }

    /**
     * Greets a connection just opened with {@code welcome}, once the application's connect hook lets it
     * in; one it refuses is closed with 1008 and the hook's message before any {@code welcome}
     * (docs/protocol.md, "Connecting"), and one it could not decide, under the refuse policy, with 1013
     * (try again later). Until then its messages wait.
     */
    void greet(Connection connection) {
        if (hooks == null) {
            welcome(connection);
            return;
        }
        askHook(connection, hooks.mayConnect(user(connection)), answer -> {
            if (!(answer.decision() instanceof ClubChatHooks.Refuse refused)) {
                welcome(connection);
            } else if (answer.failed()) {
                connection.outbox().close(Closes.APPLICATION_UNAVAILABLE);
            } else {
                connection.outbox().close(Closes.refusedByApplication(refused.message()));
            }
        });
    }

    private void welcome(Connection connection) {
        Identity identity = connection.identity();
        connection.outbox().offer(codec.frame(new ServerMessage.Welcome(connection.id(), identity.name(), ServerMessage.PROTOCOL_VERSION)));
    }

    /** A pong or any other sign of life that is not a message. */
    public void heard(Connection connection) {
        connection.heard(nanoClock.getAsLong());
    }

    /** The single dispatch over {@link ClientMessage}; a test checks that every permitted type is here. */
    private void dispatch(Connection connection, Inbound inbound) {
        ClientMessage message = inbound.body();
        String requestId = inbound.requestId();
        if (message instanceof ClientMessage.Ping) {
            connection.outbox().offer(codec.frame(ServerMessage.Pong.INSTANCE, requestId));
            return;
        }
        if (message instanceof ClientMessage.Auth auth) {
            auth(connection, auth, requestId);
            return;
        }
        String clubId = clubOf(message);
        if (!connection.identity().mayUse(clubId)) {
            error(connection, ErrorCode.FORBIDDEN, "your token does not allow club " + clubId, requestId);
        } else if (message instanceof ClientMessage.Join join) {
            if (hooks == null) {
                join(connection, join, requestId);
            } else if (!connection.hasRoomFor(join.clubId())) {
                tooManyClubs(connection, requestId);
            } else {
                askHook(connection, hooks.mayJoin(user(connection), join.clubId()), decision -> {
                    if (decision instanceof ClubChatHooks.Refuse refused) {
                        error(connection, ErrorCode.FORBIDDEN, refused.message(), requestId);
                    } else {
                        join(connection, join, requestId);
                    }
                });
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

    /**
     * A fresher token (docs/protocol.md, "Refreshing a token"): one that verifies and has the connection's
     * {@code sub} replaces the old one, with its expiry and its clubs; any other is {@code unauthorized}
     * and the old token stays in force.
     */
    private void auth(Connection connection, ClientMessage.Auth auth, String requestId) {
        if (tokens == null) {
            error(connection, ErrorCode.UNKNOWN_TYPE, "unknown type: auth (the server is in open mode)", requestId);
            return;
        }
        if (auth.token() == null) {
            error(connection, ErrorCode.BAD_REQUEST, "token is required and must be a string", requestId);
            return;
        }
        TokenVerifier.Result result = tokens.verify(auth.token());
        if (result instanceof TokenVerifier.Invalid invalid) {
            error(connection, ErrorCode.UNAUTHORIZED, invalid.reason() + "; the current token stays in force", requestId);
            return;
        }
        Identity fresh = ((TokenVerifier.Verified) result).identity();
        if (!fresh.sender().equals(connection.identity().sender())) {
            error(connection, ErrorCode.UNAUTHORIZED, "the token is for another sub; the current token stays in force", requestId);
            return;
        }
        connections.reauthorize(connection, fresh);
        long exp = fresh.expiresAt().orElseThrow().minus(TokenVerifier.CLOCK_SKEW).getEpochSecond();
        connection.outbox().offer(codec.frame(new ServerMessage.Authed(exp), requestId));
    }

    private void join(Connection connection, ClientMessage.Join join, String requestId) {
        if (!connection.join(clubs, join, requestId)) {
            tooManyClubs(connection, requestId);
        }
    }

    private void tooManyClubs(Connection connection, String requestId) {
        error(connection, ErrorCode.TOO_MANY_CLUBS, "already in " + limits.maxClubs() + " clubs, the most allowed", requestId);
    }

    /**
     * Asks the application's hooks, off this thread: the connection's later messages wait until
     * {@code then} has acted on the decision, so its order holds; nobody else waits.
     */
    private <T> void askHook(Connection connection, CompletableFuture<T> decision, Consumer<T> then) {
        connection.inbound().suspend();
        decision.thenAccept(decided -> {
            try {
                then.accept(decided);
            } finally {
                connection.inbound().resume();
            }
        });
    }

    private static ClubChatHooks.User user(Connection connection) {
        Identity identity = connection.identity();
        return new ClubChatHooks.User(identity.name(), identity.sender());
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
        if (hooks == null) {
            send(connection, chat, chat.message(), requestId);
            return;
        }
        askHook(connection, hooks.onChat(user(connection), chat.clubId(), chat.message()), decision -> {
            if (decision instanceof ClubChatHooks.Refuse refused) {
                error(connection, ErrorCode.FORBIDDEN, refused.message(), requestId);
            } else {
                send(connection, chat, decision instanceof ClubChatHooks.Replace replaced ? replaced.text() : chat.message(),
                        requestId);
            }
        });
    }

    private void send(Connection connection, ClientMessage.Chat chat, String text, String requestId) {
        if (!connection.chat(chat.clubId(), text, chat.key(), requestId)) {
            notMember(connection, chat.clubId(), requestId);
        }
    }

    /** Why the message's length is refused, or null when it is fine. */
    private String lengthProblem(String message) {
        int length = Names.codePointLength(message);
        return length == 0 || length > limits.maxMessageLength()
                ? "message must be 1-" + limits.maxMessageLength() + " characters, was " + length : null;
    }

    /** What became of a message published from outside the club. */
    public sealed interface Publication {
    }

    /** Stored with {@code seq}; {@code duplicate} when an earlier publish with the same key stored it. */
    public record Published(long seq, boolean duplicate) implements Publication {
    }

    public record Refused(ErrorCode code, String detail) implements Publication {
    }

    /**
     * A message from a backend (the HTTP publish API) into a club: checked by the rules a member's chat
     * meets, then delivered to every member as an ordinary {@code chat} with the club's next seq. With a
     * key, a resend after a lost answer is stored once (the API's keys, as a sender's).
     *
     * @param key the publisher's exactly-once key, or null
     */
    public Publication publish(String clubId, String from, String message, String key) {
        if (!ClubIds.isValid(clubId)) {
            return new Refused(ErrorCode.INVALID_CLUB, ClubIds.RULE);
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
        if (key != null && !SendKeys.isValid(key)) {
            return new Refused(ErrorCode.BAD_REQUEST, SendKeys.RULE);
        }
        try {
            ClubStore.Stored stored = clubs.publish(clubId, from, message, key).toCompletableFuture()
                    .get(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new Published(stored.seq(), stored.duplicate());
        } catch (ExecutionException | TimeoutException e) {
            return new Refused(ErrorCode.UNAVAILABLE, key == null
                    ? "no answer from the store: the message may or may not have been stored (a key makes a resend safe)"
                    : "no answer from the store: the message may have been stored; resend it with the same key");
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
}
