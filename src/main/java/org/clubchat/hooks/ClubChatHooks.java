package org.clubchat.hooks;

/**
 * Where the host application decides (docs/hooks.md): who may connect, who may join a club, and what
 * may be said. An implementation is found with {@link java.util.ServiceLoader} (a jar in the WAR's
 * {@code WEB-INF/lib}, or on the launcher's class path), or is the HTTP one ({@code CLUBCHAT_HOOKS_URL})
 * that asks a backend.
 *
 * <p>club-chat calls hooks on threads of its own ({@code clubchat-hooks}), never under a club's lock,
 * with a time limit ({@code CLUBCHAT_HOOKS_TIMEOUT}); while one is out, that connection's later
 * messages wait, so its order holds, and nobody else waits. A hook may block (it may call a backend);
 * it must be thread-safe. A hook that throws or runs out of time gets the failure policy
 * ({@code CLUBCHAT_HOOKS_FAILURE}: refuse or allow).
 */
public interface ClubChatHooks {

    /** Who a connection is: its display name, and its token's {@code sub} (the name in open mode). */
    record User(String name, String sub) {
    }

    /** What a hook decided; {@link #replace} only for a chat. */
    sealed interface Decision {
    }

    record Allow() implements Decision {
    }

    /** @param message for people; the client gets it with the protocol's {@code forbidden} */
    record Refuse(String message) implements Decision {
    }

    /** The chat goes on with this text instead (moderation). */
    record Replace(String text) implements Decision {
    }

    Decision ALLOW = new Allow();

    static Decision refuse(String message) {
        return new Refuse(message);
    }

    static Decision replace(String text) {
        return new Replace(text);
    }

    /**
     * Whether the user may connect at all, asked once the token (or name) and origin have been accepted
     * and before {@code welcome}; a refusal closes the connection with 1008 and your message (socket.io:
     * {@code connect_error}). {@link Replace} counts as allow.
     */
    default Decision mayConnect(User user) {
        return ALLOW;
    }

    /** Whether the user may join the club; {@link Replace} counts as allow. */
    default Decision mayJoin(User user, String clubId) {
        return ALLOW;
    }

    /** Whether the message may be said, or what is said instead. */
    default Decision onChat(User user, String clubId, String message) {
        return ALLOW;
    }
}
