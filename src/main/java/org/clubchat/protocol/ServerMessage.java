package org.clubchat.protocol;

import java.util.List;
import java.util.Objects;

/**
 * What the server sends, one record per wire {@code type}; components carry the wire field names and
 * {@link #type()} the type itself, so a new message cannot be added without naming it.
 */
public sealed interface ServerMessage
        permits ServerMessage.Welcome, ServerMessage.Joined, ServerMessage.Numbered, ServerMessage.Ack, ServerMessage.History,
                ServerMessage.Members, ServerMessage.Count, ServerMessage.Presence, ServerMessage.Left, ServerMessage.Authed, ServerMessage.Pong, ServerMessage.Error {

    /** The protocol version announced in {@code welcome}. */
    int PROTOCOL_VERSION = 1;

    /** The wire {@code type} of this message. */
    String type();

    record Welcome(String sessionId, String name, int protocol) implements ServerMessage {
        public Welcome {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String type() {
            return "welcome";
        }
    }

    /**
     * Reply to {@code join}.
     *
     * @param members    distinct names in code point order, the joiner included; rev 3: in a large club the
     *                   first ones only, as many as the presence limit
     * @param recovered  null when the join carried no {@code since}, so the field is left out
     * @param firstSeq   the seq of the oldest message history holds, or {@code seq + 1} when it holds none
     * @param count      rev 3: how many distinct names are in the club
     * @param replayFrom rev 3: the first seq the replay sends when it was capped (the client reads the rest
     *                   with {@code history}); null otherwise
     */
    record Joined(String clubId, List<String> members, long seq, String epoch, Boolean recovered, long firstSeq, int count,
            Long replayFrom) implements ServerMessage {
        public Joined {
            Objects.requireNonNull(clubId, "clubId");
            Objects.requireNonNull(epoch, "epoch");
            members = List.copyOf(members);
        }

        /** A club of at most the presence limit: every name is listed. */
        public Joined(String clubId, List<String> members, long seq, String epoch, Boolean recovered, long firstSeq) {
            this(clubId, members, seq, epoch, recovered, firstSeq, members.size(), null);
        }

        @Override
        public String type() {
            return "joined";
        }
    }

    /**
     * What holds one of a club's seqs, as members see it (rev 3): the message, or in its place the
     * tombstone of a deleted one, so that seqs stay gapless.
     */
    sealed interface Numbered extends ServerMessage permits Chat, Deleted {
        String clubId();

        long seq();
    }

    /** A club message, live or replayed; {@code ts} is the server's epoch milliseconds when it was accepted. */
    record Chat(String clubId, String from, String message, long seq, long ts) implements Numbered {
        public Chat {
            Objects.requireNonNull(clubId, "clubId");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String type() {
            return "chat";
        }
    }

    /**
     * Message {@code seq} was deleted (rev 3): the reply to {@code delete}, the news to the other members,
     * and what a replay or a {@code history} page holds in its place.
     */
    record Deleted(String clubId, long seq) implements Numbered {
        public Deleted {
            Objects.requireNonNull(clubId, "clubId");
        }

        @Override
        public String type() {
            return "deleted";
        }
    }

    /**
     * Reply to {@code history} (rev 3).
     *
     * @param messages consecutive seqs, oldest first, deleted ones as their tombstones
     * @param more     whether the club holds messages older than the first of them
     */
    record History(String clubId, List<Numbered> messages, boolean more) implements ServerMessage {
        public History {
            Objects.requireNonNull(clubId, "clubId");
            messages = List.copyOf(messages);
        }

        /**
         * The page from {@code from} on, out of messages read from one before it (oldest first): that one,
         * when there, says older messages are held.
         */
        public static History readBack(String clubId, long from, List<? extends Numbered> read) {
            boolean more = !read.isEmpty() && read.get(0).seq() < from;
            return new History(clubId, read.stream().filter(held -> held.seq() >= from).map(Numbered.class::cast).toList(), more);
        }

        @Override
        public String type() {
            return "history";
        }
    }

    /**
     * Reply to {@code members} (rev 3): the club's names after the one asked for, in code point order.
     *
     * @param count how many distinct names are in the club
     * @param more  whether names remain after the last of these
     */
    record Members(String clubId, List<String> names, int count, boolean more) implements ServerMessage {
        public Members {
            Objects.requireNonNull(clubId, "clubId");
            names = List.copyOf(names);
        }

        @Override
        public String type() {
            return "members";
        }
    }

    /** In a club above the presence limit (rev 3), instead of {@code presence}: how many distinct names are in it. */
    record Count(String clubId, int count) implements ServerMessage {
        public Count {
            Objects.requireNonNull(clubId, "clubId");
        }

        @Override
        public String type() {
            return "count";
        }
    }

    /** @param duplicate the chat was a resend of one already accepted with the same key: nothing new was stored */
    record Ack(String clubId, long seq, boolean duplicate) implements ServerMessage {
        public Ack {
            Objects.requireNonNull(clubId, "clubId");
        }

        @Override
        public String type() {
            return "ack";
        }
    }

    record Presence(String clubId, Event event, String name) implements ServerMessage {
        public Presence {
            Objects.requireNonNull(clubId, "clubId");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String type() {
            return "presence";
        }

        public enum Event {
            JOIN("join"),
            LEAVE("leave");

            private final String wireName;

            Event(String wireName) {
                this.wireName = wireName;
            }

            public String wireName() {
                return wireName;
            }
        }
    }

    /**
     * Reply to {@code leave}, or sent unasked when the server ends a membership.
     *
     * @param reason null for a reply; {@link #FORBIDDEN} when a refreshed token no longer allows the club
     */
    record Left(String clubId, String reason) implements ServerMessage {
        public static final String FORBIDDEN = "forbidden";

        public Left {
            Objects.requireNonNull(clubId, "clubId");
        }

        public Left(String clubId) {
            this(clubId, null);
        }

        @Override
        public String type() {
            return "left";
        }
    }

    /** Reply to {@code auth} when the new token is accepted; {@code exp} in seconds since the epoch. */
    record Authed(long exp) implements ServerMessage {
        @Override
        public String type() {
            return "authed";
        }
    }

    record Pong() implements ServerMessage {
        public static final Pong INSTANCE = new Pong();

        @Override
        public String type() {
            return "pong";
        }
    }

    /**
     * @param message    for people, not for programs: clients branch on {@code code}
     * @param retryAfter for {@code rate_limited} (rev 3): milliseconds to wait before sending that message
     *                   again; null otherwise
     */
    record Error(ErrorCode code, String message, Long retryAfter) implements ServerMessage {
        public Error {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }

        public Error(ErrorCode code, String message) {
            this(code, message, null);
        }

        @Override
        public String type() {
            return "error";
        }
    }
}
