package org.clubchat.club;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.concurrent.CompletionStage;
import org.clubchat.protocol.SendKeys;
import org.clubchat.protocol.ServerMessage;

/**
 * A club's history that lasts: every accepted message, by club and seq, in a durable store (PostgreSQL,
 * {@code org.clubchat.db}). Clubs write to it before anyone sees a message, so an {@code ack} means the
 * message is committed and whatever a member received is stored; they read from it what their memory no
 * longer holds. The reads block (within the store's own timeouts) and are never made under a club's lock;
 * appends do not block.
 */
public interface MessageLog extends AutoCloseable {
    /** How long a message's key at least makes a resend a duplicate: the protocol's 10 minutes. */
    Duration KEYS_KEPT = SendKeys.KEPT;

    /**
     * One stored message. {@code sender} is whose exactly-once keys it uses; {@code key} is null without
     * one; {@code epoch} is the run of the club it belongs to. A deleted message has neither {@code from}
     * nor {@code message}.
     */
    record Entry(String clubId, String epoch, long seq, long ts, String sender, String from, String message, String key) {
        public boolean isDeleted() {
            return message == null;
        }

        /** The message as members get it, or its tombstone. */
        public ServerMessage.Numbered seen() {
            return isDeleted() ? new ServerMessage.Deleted(clubId, seq) : new ServerMessage.Chat(clubId, from, message, seq, ts);
        }
    }

    /**
     * A club as the log holds it: its run, the last seq committed, the oldest seq it still holds
     * ({@code lastSeq + 1} when none), its newest messages (oldest first, for memory to start from), and
     * the keys of the messages accepted within the protocol's 10 minutes.
     */
    record Run(String epoch, long lastSeq, long firstSeq, List<Entry> newest, List<Entry> recentKeys) {
        public Run {
            newest = List.copyOf(newest);
            recentKeys = List.copyOf(recentKeys);
        }
    }

    /**
     * The club's run; {@code epochCandidate}, with nothing in it, if the log has never held the club (it
     * holds it from its first message on, so joins alone store nothing).
     *
     * @param newest     how many of its newest messages to bring along
     * @param keysSince  epoch milliseconds: the keys accepted since then come along too
     * @throws ClubStore.Unavailable when the store cannot be asked now
     */
    Run open(String clubId, String epochCandidate, int newest, long keysSince);

    /**
     * The club's run as {@link #open} reads it (without messages or keys), made in the store first if the
     * store has never held the club: nodes that share clubs and take seqs from the store ({@link #take})
     * then all agree on its epoch from its first join on. {@code seenEpoch} and {@code seenSeq} are the
     * run as the nodes' relay (Redis) holds it, or a fresh epoch candidate and 0: a club new to the store
     * goes on with that run, and when the store's run is {@code seenEpoch} but its last seq is below
     * {@code seenSeq} (seqs given without the store: a node without it shared Redis, or the store came
     * back from an older backup) the store goes on after them, so that no seq of a run names two messages.
     *
     * @throws ClubStore.Unavailable when the store cannot be asked now
     */
    Run claim(String clubId, String seenEpoch, long seenSeq);

    /**
     * The club's messages with seq from {@code from} to {@code to}, oldest first (those retention has
     * deleted are missing at the start).
     *
     * @throws ClubStore.Unavailable when the store cannot be asked now
     */
    List<Entry> read(String clubId, long from, long to);

    /**
     * Stores the message, in turn with the club's others: the stage completes once it is committed, or
     * fails with {@link Refused} (certainly not stored), {@link Unconfirmed} (the store may have
     * committed it) or {@link OutOfStep}. The club's messages must come in its run with consecutive seqs
     * following its last one: one that does not is refused as out of step, so no seq is ever stored twice
     * or skipped. One whose key its sender already stored in the club fails with {@link KeyStored}.
     */
    CompletionStage<Void> append(Entry entry);

    /**
     * A message for which the store takes the seq itself: the next of its club, in one transaction with
     * the club's other messages, so that several nodes sending to one club never take the same seq nor
     * skip one. {@code epochCandidate} is the run a club new to the store begins; {@code key} is null
     * without one.
     */
    record Draft(String clubId, String epochCandidate, long ts, String sender, String from, String message, String key) {
    }

    /** Where a draft went: its club's run and its seq, or, for a key its sender used before in the club, that message's. */
    record Taken(String epoch, long seq, boolean duplicate) {
    }

    /**
     * Stores the draft with the next seq of its club: the stage completes once it is committed, or fails
     * with {@link Refused} or {@link Unconfirmed}. A draft whose sender already stored a message with its
     * key in the club is not stored again: it completes with that message's seq, as a duplicate.
     */
    CompletionStage<Taken> take(Draft draft);

    /**
     * Deletes message {@code seq} of the club if {@code sender} sent it (null: whoever did, an operator's
     * request): its text, name and sender are gone from the store, and its seq holds a tombstone. A key
     * it was sent with stays while a resend may come (the protocol's 10 minutes), so that the message
     * cannot come back.
     *
     * @throws ClubStore.Unavailable when the store cannot be asked now
     */
    Deletion delete(String clubId, long seq, String sender);

    /** The most messages one step of an erasure deletes: a short transaction each. */
    int ERASE_BATCH = 1000;

    /** A message an erasure deleted. */
    record Erased(String clubId, long seq) {
    }

    /**
     * Deletes at most {@code batch} of the messages {@code who} names, in every club, after {@code after}
     * (null: from the first) in (club, seq) order, in one short transaction; {@link #eraseAll} calls it
     * until it deletes fewer.
     *
     * @return the messages it deleted, in that order
     * @throws ClubStore.Unavailable when the store cannot be asked now
     */
    List<Erased> erase(Erasure who, Erased after, int batch);

    /**
     * Deletes every message {@code who} names, {@link #ERASE_BATCH} at a time, handing each batch to
     * {@code followed} (memory or Redis follows, and the members are told). After each batch it waits
     * as long as the batch took, so that an erasure of a million messages leaves the store at least half
     * of its time for the chats going on.
     *
     * @return how many it deleted
     * @throws ClubStore.Unavailable when the store cannot be asked now (what it deleted until then stays deleted)
     */
    default long eraseAll(Erasure who, Consumer<List<Erased>> followed) {
        long erased = 0;
        Erased after = null;
        while (true) {
            long start = System.nanoTime();
            List<Erased> step = erase(who, after, ERASE_BATCH);
            followed.accept(step);
            erased += step.size();
            if (step.size() < ERASE_BATCH) {
                return erased;
            }
            after = step.get(step.size() - 1);
            try {
                TimeUnit.NANOSECONDS.sleep(System.nanoTime() - start);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClubStore.Unavailable(e);
            }
        }
    }

    /** Why the store cannot serve now (for /health), or empty when it can. */
    Optional<String> problem();

    @Override
    void close();

    /** The message was not stored: it may be sent again as a new one. */
    final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Refused(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /**
     * Not stored: the club's run or last seq in the store is not where the message would follow (another
     * writer moved it on, or an earlier commit went through unconfirmed); the club reads it again.
     */
    final class OutOfStep extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public OutOfStep(String reason) {
            super(reason);
        }
    }

    /**
     * Not stored: its sender already stored a message with its key in the club, with {@code seq} (a resend
     * the club's memory no longer knew). The club's messages after it in the same batch are refused.
     */
    final class KeyStored extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long seq;

        public KeyStored(long seq) {
            super("the key is stored with seq " + seq);
            this.seq = seq;
        }

        public long seq() {
            return seq;
        }
    }

    /** The store may or may not have committed the message (it failed during the commit). */
    final class Unconfirmed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unconfirmed(String reason, Throwable cause) {
            super(reason, cause);
        }
    }
}
