package org.clubchat.protocol;

import java.util.Objects;
import java.util.OptionalLong;

/** What a client may send, one record per wire {@code type}. Values only: the codec validates input. */
public sealed interface ClientMessage
        permits ClientMessage.Join, ClientMessage.Leave, ClientMessage.Chat, ClientMessage.History, ClientMessage.Delete,
                ClientMessage.Members, ClientMessage.Ping, ClientMessage.Auth {

    /** The wire {@code type} of this message. */
    String type();

    /**
     * {@code join}: with {@code since}, replay what history holds after it first.
     *
     * @param epoch the epoch the client last saw, or null when it sent none
     */
    record Join(String clubId, OptionalLong since, String epoch) implements ClientMessage {
        public Join {
            Objects.requireNonNull(clubId, "clubId");
            Objects.requireNonNull(since, "since");
        }

        @Override
        public String type() {
            return "join";
        }
    }

    record Leave(String clubId) implements ClientMessage {
        public Leave {
            Objects.requireNonNull(clubId, "clubId");
        }

        @Override
        public String type() {
            return "leave";
        }
    }

    /** @param key the client's key for exactly-once sends (1–64 characters), or null when it gave none */
    record Chat(String clubId, String message, String key) implements ClientMessage {
        public Chat {
            Objects.requireNonNull(clubId, "clubId");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String type() {
            return "chat";
        }
    }

    /**
     * {@code history} (rev 3): the club's stored messages before {@code before} (the newest when empty), at
     * most {@code limit} of them.
     */
    record History(String clubId, OptionalLong before, int limit) implements ClientMessage {
        /** The most messages one {@code history} answers, and how many it answers when the client does not say. */
        public static final int MAX_LIMIT = 100;
        public static final int DEFAULT_LIMIT = 50;

        public History {
            Objects.requireNonNull(clubId, "clubId");
            Objects.requireNonNull(before, "before");
        }

        /** The newest seq asked for: below {@code before}, and not past {@code seq}, the club's last. */
        public long top(long seq) {
            return before.isPresent() ? Math.min(seq, before.getAsLong() - 1) : seq;
        }

        /** The oldest seq asked for, with {@code top} the newest: {@code limit} back from it, from 1 at most. */
        public long from(long top) {
            return Math.max(1, top - limit + 1);
        }

        @Override
        public String type() {
            return "history";
        }
    }

    /** {@code delete} (rev 3): takes back message {@code seq} of the club, one's own. */
    record Delete(String clubId, long seq) implements ClientMessage {
        public Delete {
            Objects.requireNonNull(clubId, "clubId");
        }

        @Override
        public String type() {
            return "delete";
        }
    }

    /**
     * {@code members} (rev 3): the club's names after {@code after} (from the first when null) in code
     * point order, at most {@code limit} of them.
     */
    record Members(String clubId, String after, int limit) implements ClientMessage {
        /** The most names one {@code members} answers, and how many it answers when the client does not say. */
        public static final int MAX_LIMIT = 1000;

        public Members {
            Objects.requireNonNull(clubId, "clubId");
        }

        @Override
        public String type() {
            return "members";
        }
    }

    record Ping() implements ClientMessage {
        public static final Ping INSTANCE = new Ping();

        @Override
        public String type() {
            return "ping";
        }
    }

    /**
     * A fresher token for the connection (rev 2). In open mode the type is unknown, so the service, not the
     * decoder, judges it.
     *
     * @param token the token, or null when the frame has none (or not as a string)
     */
    record Auth(String token) implements ClientMessage {
        @Override
        public String type() {
            return "auth";
        }
    }
}
