package org.clubchat.redis;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.clubchat.club.Member;
import org.clubchat.club.MessageLog;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Closes;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.ServerMessage;

/**
 * The chats of one club's local members that are not settled yet, and how each gets its definite answer
 * within {@link #ANSWER_WITHIN} (docs/protocol.md, "Answers are definite and bounded"). A stored chat is
 * settled by its delivery: the ack goes out in seq order with the club's messages ({@link #settle}). A
 * chat Redis did not answer is asked after by its receipt: acknowledged if it was stored, {@code
 * unavailable} if it certainly was not. When even that cannot be learned in time, its sender is closed
 * with 1011 and re-joins with {@code since}, where it finds the message if it was stored. A sender the
 * node closes (this, or a gap in the club) first gets an ack for every chat it knows to be stored, and
 * the answers to appends still out ({@link #close}). Used only on the store's events thread; Redis's
 * answers come back to it as new tasks.
 *
 * <p>With the history store, a chat goes to the store instead, which gives it its seq: once committed it
 * is handed to the club's feed (and the other nodes) by {@code committed}, and settled by its delivery as
 * above. The store answers every append in time; one whose commit it cannot confirm closes the sender
 * with 1011 at once.
 */
final class UnansweredChats {
    /** Within this, counted from its arrival, every chat has its answer (the protocol says 10 s). */
    static final long ANSWER_WITHIN = TimeUnit.SECONDS.toNanos(8);

    /** A chat sent to Redis and not settled yet; {@code seq} is 0 until Redis said it was stored. */
    private static final class Chat {
        final Member sender;
        final String attempt;
        /** The name of its receipt: per attempt, or per sender and key. */
        final String dedupe;
        final String requestId;
        /** When the client's frame arrived: the answer is due {@link #ANSWER_WITHIN} after it. */
        final long arrived;
        long seq;
        /** Redis did not answer the append, so its receipt must be asked for. */
        boolean unknown;
        /** The receipt has been asked for and not answered yet. */
        boolean asking;
        /** With the history store: what was sent to it, by which a message read back from it is known as this one. */
        MessageLog.Draft draft;

        Chat(Member sender, String attempt, String dedupe, String requestId, long arrived) {
            this.sender = sender;
            this.arrived = arrived;
            this.attempt = attempt;
            this.dedupe = dedupe;
            this.requestId = requestId;
        }
    }

    /** Who waits for the ack of a delivered message. */
    record Asker(Member sender, String requestId) {
    }

    private final RedisClubStore store;
    private final ClubScripts scripts;
    private final ClubKeys keys;
    /** Reads the club's stream up to a seq known to be stored, so that its delivery (and ack) comes. */
    private final LongConsumer catchUp;
    private final Map<String, Chat> byAttempt = new LinkedHashMap<>();
    /**
     * Senders the node is closing, by connection, with the close each gets once the appends it has out are
     * answered: the acks it can still be given come first (docs/protocol.md, "Answers are definite and
     * bounded"). Redis answers or fails every command within its timeout, so none waits long.
     */
    private final Map<String, Close> closing = new HashMap<>();
    /** Hands a message the store committed to the club's feed and the other nodes; with the store only. */
    private final BiConsumer<MessageLog.Taken, Map<String, String>> committed;
    /** The run a club new to the store begins: the club's, as its join read it. */
    private final Supplier<String> epoch;

    UnansweredChats(RedisClubStore store, ClubScripts scripts, ClubKeys keys, LongConsumer catchUp,
            BiConsumer<MessageLog.Taken, Map<String, String>> committed, Supplier<String> epoch) {
        this.store = store;
        this.scripts = scripts;
        this.keys = keys;
        this.catchUp = catchUp;
        this.committed = committed;
        this.epoch = epoch;
    }

    /**
     * Sends a member's chat to Redis; a resend of a key already stored is acknowledged as a duplicate.
     *
     * @param arrived when its frame arrived, as {@link System#nanoTime}
     */
    void send(Member sender, String message, String key, String requestId, long arrived) {
        if (store.log() != null) {
            take(sender, message, key, requestId, arrived);
            return;
        }
        String attempt = ClubScripts.newId();
        String keyId = key == null ? null : ClubScripts.keyId(sender.sender(), key);
        Chat chat = new Chat(sender, attempt, keyId != null ? keyId : ClubScripts.attemptId(attempt), requestId, arrived);
        byAttempt.put(attempt, chat);
        store.then(scripts.append(keys, attempt, keyId, sender.sender(), sender.name(), message, sender.connectionId(), requestId),
                (appended, failure) -> {
                    if (byAttempt.get(attempt) != chat) {
                        return;
                    }
                    if (failure != null) {
                        store.lost(failure);
                        chat.unknown = true;
                        if (!closing.containsKey(sender.connectionId())) {
                            askReceipt(chat);
                        }
                    } else {
                        store.answered();
                        chat.seq = appended.seq();
                        if (appended.duplicate()) {
                            ackDuplicate(chat);
                        }
                    }
                    closeIfAnswered(sender);
                });
    }

    /** Sends a member's chat to the history store, which gives it its seq. */
    private void take(Member sender, String message, String key, String requestId, long arrived) {
        String attempt = ClubScripts.newId();
        Chat chat = new Chat(sender, attempt, null, requestId, arrived);
        byAttempt.put(attempt, chat);
        long ts = store.clock().millis();
        MessageLog.Draft draft = new MessageLog.Draft(keys.clubId(), epoch.get(), ts, sender.sender(), sender.name(), message, key);
        chat.draft = draft;
        store.afterStore(store.log().take(draft), (taken, failure) -> {
            if (failure == null && !taken.duplicate()) {
                // Stored: it reaches the club whatever became of its sender.
                committed.accept(taken, Map.of("ts", String.valueOf(ts), "from", sender.name(), "message", message,
                        "node", store.node(), "conn", sender.connectionId(), "req", requestId == null ? "" : requestId, "att", attempt));
            }
            if (byAttempt.get(attempt) != chat) {
                return;
            }
            if (failure instanceof MessageLog.Unconfirmed) {
                chat.unknown = true;
                store.metrics().redisMemberClosed(Metrics.UNCONFIRMED);
                close(sender, Closes.UNCONFIRMED, 0);
            } else if (failure != null) {
                byAttempt.remove(attempt);
                sender.delivery().offer(store.error(ErrorCode.UNAVAILABLE, "the message could not be stored; it was not sent", requestId));
            } else {
                chat.seq = taken.seq();
                if (taken.duplicate()) {
                    ackDuplicate(chat);
                }
            }
            closeIfAnswered(sender);
        });
    }

    /**
     * Closes a sender, after the replies it can still get: an ack for each chat Redis said it stored
     * whose delivery has not come (its seq is known, even if the message cannot be handed out in order),
     * and, for appends still out, their answers when they come. It re-joins with {@code since} for the rest.
     *
     * @param delivered the highest seq the club has handed out: a stored chat at or below it that was not
     *                  settled by its delivery was a resend of a key, and is a duplicate
     */
    void close(Member sender, Close close, long delivered) {
        ackStored(sender.connectionId(), delivered);
        sender.delivery().closing();
        closing.putIfAbsent(sender.connectionId(), close);
        closeIfAnswered(sender);
    }

    /** A sender being closed whose appends are all answered: what could be acknowledged was, and it closes now. */
    private void closeIfAnswered(Member sender) {
        String id = sender.connectionId();
        if (!closing.containsKey(id)) {
            return;
        }
        ackStored(id, 0);
        boolean out = byAttempt.values().stream().anyMatch(chat -> chat.sender.connectionId().equals(id) && !chat.unknown);
        if (!out) {
            byAttempt.values().removeIf(chat -> chat.sender.connectionId().equals(id));
            sender.delivery().close(closing.remove(id));
        }
    }

    /**
     * A stored message is being handed out: the chat it was, if it is one of these, is settled; null if
     * not. A message read back from the history store carries no attempt: it may be a chat of this node
     * whose commit has not been heard of yet (another node's later message made the club read it), known
     * by its sender, time and text; the earliest such chat is the one with the lowest seq.
     */
    Asker settle(Map<String, String> entry) {
        Chat chat = byAttempt.remove(entry.getOrDefault("att", ""));
        if (chat == null && entry.containsKey("sender")) {
            chat = byAttempt.values().stream().filter(sent -> sent.seq == 0 && sent.draft != null && isDraftOf(sent.draft, entry))
                    .findFirst().orElse(null);
            if (chat != null) {
                byAttempt.remove(chat.attempt);
            }
        }
        return chat == null ? null : new Asker(chat.sender, chat.requestId);
    }

    private static boolean isDraftOf(MessageLog.Draft draft, Map<String, String> entry) {
        return String.valueOf(draft.ts()).equals(entry.get("ts")) && draft.sender().equals(entry.get("sender"))
                && draft.from().equals(entry.get("from")) && draft.message().equals(entry.get("message"));
    }

    /**
     * From the club's check, every second: asks again after what Redis did not answer, catches up with
     * what is stored but not handed out, and closes the sender of a chat about to run out of time.
     *
     * @param delivered the highest seq the club has handed out
     */
    void check(long delivered) {
        long now = System.nanoTime();
        for (Chat chat : List.copyOf(byAttempt.values())) {
            if (byAttempt.get(chat.attempt) != chat) {
                continue;
            }
            if (closing.containsKey(chat.sender.connectionId())) {
                continue;
            }
            if (now - chat.arrived >= ANSWER_WITHIN) {
                store.metrics().redisMemberClosed(chat.unknown ? Metrics.UNCONFIRMED : Metrics.GAP);
                byAttempt.remove(chat.attempt);
                close(chat.sender, chat.unknown ? Closes.UNCONFIRMED : Closes.MISSED_MESSAGES, delivered);
            } else if (chat.unknown && store.log() == null) {
                askReceipt(chat);
            } else if (chat.seq > 0 && chat.seq > delivered) {
                catchUp.accept(chat.seq);
            } else if (chat.seq > 0) {
                // Its seq was handed out without it: an earlier send with its key stored the message.
                ackDuplicate(chat);
            }
        }
    }

    /** Acknowledges the sender's chats Redis said it stored and whose delivery has not come; see {@link #close}. */
    private void ackStored(String connectionId, long delivered) {
        for (Chat chat : List.copyOf(byAttempt.values())) {
            if (chat.seq > 0 && chat.sender.connectionId().equals(connectionId)) {
                byAttempt.remove(chat.attempt);
                chat.sender.delivery().offer(store.codec().frame(
                        new ServerMessage.Ack(keys.clubId(), chat.seq, chat.seq <= delivered), chat.requestId));
            }
        }
    }

    /** A closed connection needs no answers. */
    void forget(String connectionId) {
        closing.remove(connectionId);
        byAttempt.values().removeIf(chat -> chat.sender.connectionId().equals(connectionId));
    }

    /** The club's members were all closed: nobody waits for an answer but those still to be told of their appends. */
    void clear() {
        byAttempt.values().removeIf(chat -> !closing.containsKey(chat.sender.connectionId()));
    }

    /** A resend of a key already stored: its original seq, and nothing handed out again. */
    private void ackDuplicate(Chat chat) {
        byAttempt.remove(chat.attempt);
        chat.sender.delivery().offer(store.codec().frame(new ServerMessage.Ack(keys.clubId(), chat.seq, true), chat.requestId));
    }

    /**
     * Asks Redis whether a chat it did not answer was stored. The question goes on the connection that
     * carried the chat, behind it, so Redis answers only once it has run the chat if it ever will:
     * no receipt means the chat was certainly not stored.
     */
    private void askReceipt(Chat chat) {
        if (chat.asking) {
            return;
        }
        chat.asking = true;
        store.then(scripts.receipt(keys, chat.dedupe), (seq, failure) -> {
            chat.asking = false;
            if (byAttempt.get(chat.attempt) != chat) {
                return;
            }
            if (failure != null) {
                store.lost(failure);
            } else if (seq.isPresent()) {
                chat.unknown = false;
                chat.seq = seq.get();
                catchUp.accept(chat.seq);
            } else {
                byAttempt.remove(chat.attempt);
                chat.sender.delivery().offer(store.error(ErrorCode.UNAVAILABLE,
                        "the message could not be stored; it was not sent", chat.requestId));
            }
            closeIfAnswered(chat.sender);
        });
    }
}
