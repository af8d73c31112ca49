package org.clubchat.service;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.clubchat.club.ClubStore;
import org.clubchat.delivery.Closes;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Inbound;
import org.clubchat.protocol.Names;
import org.clubchat.protocol.ProtocolCodec;
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
    /** The protocol's bound on every answer, counted from the message's arrival (docs/protocol.md). */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
    /** What an answer needs after its hook has decided, besides the store: the queues, the frame's way out. */
    private static final Duration AFTER_HOOK = Duration.ofSeconds(1);
    /** What a waiting frame costs besides its strings: the records, the task and the queue's entry. */
    private static final long WAITING_OVERHEAD_BYTES = 200;

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
     * ({@link SendAllowance}) as it arrives; a frame over it gets its own error if it has one
     * (docs/protocol.md's precedence), else {@code rate_limited} (a ping its {@code pong}); a connection
     * that keeps on flooding is closed with 1008. While a hook is out, frames wait their turn in the
     * connection's bounded {@link InboundQueue}; one that finds it full closes the connection with 1008.
     * A connection whose close has been decided acts on nothing more, waiting frames included.
     */
    public void handle(Connection connection, DecodeResult result) {
        if (connection.isClosing()) {
            return;
        }
        long now = nanoClock.getAsLong();
        connection.heard(now);
        metrics.frameReceived(typeOf(result));
        if (result instanceof DecodeResult.TooBig) {
            connection.outbox().close(Closes.TOO_BIG);
            return;
        }
        SendAllowance.Verdict verdict = connection.admitFrame(kindOf(result), now);
        if (verdict.outcome() == SendAllowance.Outcome.FLOODING) {
            connection.outbox().close(Closes.FLOODING);
            return;
        }
        if (hooks == null) {
            act(connection, result, verdict, now);
            return;
        }
        Runnable task = () -> act(connection, result, verdict, now);
        switch (connection.inbound().runNowOrQueue(task, bytesOf(result))) {
            case RUN_NOW -> task.run();
            case QUEUED -> {
                // It runs once the hook ahead of it has answered.
            }
            case OVERFLOW -> connection.outbox().close(Closes.INBOUND_OVERFLOW);
        }
    }

    /** What a frame that was let in does, in its turn; {@code arrived} is when it came, as the allowance saw it. */
    private void act(Connection connection, DecodeResult result, SendAllowance.Verdict verdict, long arrived) {
        if (connection.isClosing()) {
            return;
        }
        if (result instanceof DecodeResult.Rejected rejected) {
            error(connection, rejected.code(), rejected.detail(), rejected.requestId());
            return;
        }
        Inbound inbound = ((DecodeResult.Decoded) result).inbound();
        if (verdict.outcome() == SendAllowance.Outcome.RATE_LIMITED && !(inbound.body() instanceof ClientMessage.Ping)) {
            String detail = inbound.body() instanceof ClientMessage.Join || inbound.body() instanceof ClientMessage.Leave
                    ? "slow down: over " + limits.maxClubs() + " joins and leaves at once"
                    : "slow down: over " + limits.ratePerSecond() + " messages a second";
            metrics.errorSent(ErrorCode.RATE_LIMITED);
            connection.outbox().offer(codec.frame(new ServerMessage.Error(ErrorCode.RATE_LIMITED, detail,
                    verdict.retryAfterMillis()), inbound.requestId()));
            return;
        }
        dispatch(connection, inbound, arrived);
    }

    private static SendAllowance.Kind kindOf(DecodeResult result) {
        if (result instanceof DecodeResult.Decoded decoded) {
            ClientMessage body = decoded.inbound().body();
            if (body instanceof ClientMessage.Join || body instanceof ClientMessage.Leave) {
                return SendAllowance.Kind.MEMBERSHIP;
            }
            if (body instanceof ClientMessage.Ping) {
                return SendAllowance.Kind.PING;
            }
            return SendAllowance.Kind.MESSAGE;
        }
        return SendAllowance.Kind.MALFORMED;
    }

    /** Roughly what a frame holds while it waits in the inbound queue: its strings, two bytes a character. */
    private static long bytesOf(DecodeResult result) {
        long strings = 0;
        if (result instanceof DecodeResult.Rejected rejected) {
            strings = rejected.detail().length() + length(rejected.requestId());
        } else if (result instanceof DecodeResult.Decoded decoded) {
            ClientMessage body = decoded.inbound().body();
            strings = length(decoded.inbound().requestId());
            if (body instanceof ClientMessage.Chat chat) {
                strings += chat.clubId().length() + chat.message().length() + length(chat.key());
            } else if (body instanceof ClientMessage.Auth auth) {
                strings += length(auth.token());
            } else if (body instanceof ClientMessage.Join join) {
                strings += join.clubId().length() + length(join.epoch());
            } else if (body instanceof ClientMessage.Leave leave) {
                strings += leave.clubId().length();
            } else if (body instanceof ClientMessage.History history) {
                strings += history.clubId().length();
            } else if (body instanceof ClientMessage.Delete delete) {
                strings += delete.clubId().length();
            } else if (body instanceof ClientMessage.Members asked) {
                strings += asked.clubId().length() + length(asked.after());
            }
        }
        return WAITING_OVERHEAD_BYTES + 2 * strings;
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
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
        askHook(connection, hooks.mayConnect(user(connection), nanoClock.getAsLong() + ANSWER_WITHIN.toNanos()), answer -> {
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
    private void dispatch(Connection connection, Inbound inbound, long arrived) {
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
                askHook(connection, hooks.mayJoin(user(connection), join.clubId(), hookDeadline(arrived)), decision -> {
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
            chat(connection, chat, requestId, arrived);
        } else if (message instanceof ClientMessage.History history) {
            if (!connection.history(history, requestId)) {
                notMember(connection, history.clubId(), requestId);
            }
        } else if (message instanceof ClientMessage.Delete delete) {
            if (!connection.delete(delete, requestId)) {
                notMember(connection, delete.clubId(), requestId);
            }
        } else if (message instanceof ClientMessage.Members asked) {
            if (!connection.members(asked, requestId)) {
                notMember(connection, asked.clubId(), requestId);
            }
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
        try {
            if (!connection.join(clubs, join, requestId)) {
                tooManyClubs(connection, requestId);
            }
        } catch (ClubStore.Full full) {
            error(connection, ErrorCode.UNAVAILABLE, full.getMessage(), requestId);
        } catch (ClubStore.Unavailable unavailable) {
            error(connection, ErrorCode.UNAVAILABLE, "the club's history cannot be read just now; join again", requestId);
        }
    }

    private void tooManyClubs(Connection connection, String requestId) {
        error(connection, ErrorCode.TOO_MANY_CLUBS, "already in " + limits.maxClubs() + " clubs, the most allowed", requestId);
    }

    /**
     * Asks the application's hooks, off this thread: the connection's later messages wait until
     * {@code then} has acted on the decision, so its order holds; nobody else waits. A connection closed
     * meanwhile acts on nothing more, the decision included.
     */
    private <T> void askHook(Connection connection, CompletableFuture<T> decision, Consumer<T> then) {
        connection.inbound().suspend();
        decision.thenAccept(decided -> {
            try {
                if (!connection.isClosing()) {
                    then.accept(decided);
                }
            } finally {
                connection.inbound().resume(() -> connection.outbox().close(Closes.SERVER_ERROR));
            }
        });
    }

    /**
     * When a hook asked about a message that arrived at {@code arrived} must have answered: what the store
     * needs to answer after it still fits in the protocol's 10 s.
     */
    private long hookDeadline(long arrived) {
        return arrived + ANSWER_WITHIN.minus(clubs.answerTime()).minus(AFTER_HOOK).toNanos();
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
        } else if (message instanceof ClientMessage.History history) {
            return history.clubId();
        } else if (message instanceof ClientMessage.Delete delete) {
            return delete.clubId();
        } else if (message instanceof ClientMessage.Members asked) {
            return asked.clubId();
        }
        throw new IllegalStateException("no club in " + message);
    }

    private void chat(Connection connection, ClientMessage.Chat chat, String requestId, long arrived) {
        if (!connection.isMember(chat.clubId())) {
            notMember(connection, chat.clubId(), requestId);
            return;
        }
        String tooLong = limits.messageLengthProblem(chat.message());
        if (tooLong != null) {
            error(connection, ErrorCode.TOO_LONG, tooLong, requestId);
            return;
        }
        if (hooks == null) {
            send(connection, chat, chat.message(), requestId, arrived);
            return;
        }
        askHook(connection, hooks.onChat(user(connection), chat.clubId(), chat.message(),
                text -> Names.isWellFormed(text) && limits.messageLengthProblem(text) == null, hookDeadline(arrived)), decision -> {
            if (decision instanceof ClubChatHooks.Refuse refused) {
                error(connection, ErrorCode.FORBIDDEN, refused.message(), requestId);
            } else {
                send(connection, chat, decision instanceof ClubChatHooks.Replace replaced ? replaced.text() : chat.message(),
                        requestId, arrived);
            }
        });
    }

    private void send(Connection connection, ClientMessage.Chat chat, String text, String requestId, long arrived) {
        if (!connection.chat(chat.clubId(), text, chat.key(), requestId, arrived)) {
            notMember(connection, chat.clubId(), requestId);
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
