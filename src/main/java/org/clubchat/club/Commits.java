package org.clubchat.club;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.clubchat.delivery.Delivery;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;

/**
 * A durable club's messages that have their seq but not yet their commit in the {@link MessageLog}, in
 * seq order. A message is handed out only once it and every one before it are committed, so whatever a
 * member receives is stored, and an {@code ack} means committed. When the log fails one, every message
 * still waiting is taken back at once (a new generation): its seq is free again, and a late answer about
 * the old ones changes nothing.
 *
 * <p>Not thread-safe: the owning {@link Club}'s lock guards it.
 */
final class Commits {

    /** Who waits for a message's fate besides its sender: a resend of its key, or the publish API. */
    interface Waiter {
        void stored(ClubStore.Stored stored);

        void failed(RuntimeException failure);
    }

    /**
     * One message on its way to the log.
     *
     * @param sender    the member that sent it, or null for the publish API
     * @param publisher the publish API's caller, or null for a member's chat
     * @param keySender whose key {@code key} is (null key: none)
     * @param resends   resends of its key that arrived before its commit, answered as duplicates with it
     */
    record Commit(long seq, long generation, Frame frame, Member sender, Waiter publisher, String requestId,
            String keySender, String key, List<Waiter> resends) {
    }

    private final ArrayDeque<Commit> waiting = new ArrayDeque<>();
    /** Seqs of {@code waiting} the log has committed, not yet handed out because one before them is not. */
    private final List<Long> done = new ArrayList<>();
    private long generation;

    Commit add(long seq, Frame frame, Member sender, Waiter publisher, String requestId, String keySender, String key) {
        Commit commit = new Commit(seq, generation, frame, sender, publisher, requestId, keySender, key, new ArrayList<>());
        waiting.add(commit);
        return commit;
    }

    /** The message with this seq, if it is still waiting for its commit. */
    Commit waitingFor(long seq) {
        for (Commit commit : waiting) {
            if (commit.seq() == seq) {
                return commit;
            }
        }
        return null;
    }

    /** Whether the commit belongs to the messages waiting now, not to ones taken back. */
    boolean isCurrent(Commit commit) {
        return commit.generation() == generation;
    }

    /** The log committed this one: returns those now ready to hand out, in seq order (maybe none). */
    List<Commit> committed(Commit commit) {
        done.add(commit.seq());
        List<Commit> ready = new ArrayList<>();
        while (!waiting.isEmpty() && done.remove(Long.valueOf(waiting.peek().seq()))) {
            ready.add(waiting.poll());
        }
        return ready;
    }

    /** Takes back every message still waiting; a new generation begins. */
    List<Commit> abandon() {
        List<Commit> taken = new ArrayList<>(waiting);
        waiting.clear();
        done.clear();
        generation++;
        return taken;
    }

    /** A resend's answer for a member: its ack as a duplicate, or the error that its original was not stored. */
    static Waiter acknowledging(Delivery sender, String requestId, String clubId, ProtocolCodec codec) {
        return new Waiter() {
            @Override
            public void stored(ClubStore.Stored stored) {
                sender.offer(codec.frame(new ServerMessage.Ack(clubId, stored.seq(), stored.duplicate()), requestId));
            }

            @Override
            public void failed(RuntimeException failure) {
                sender.offer(codec.frame(new ServerMessage.Error(ErrorCode.UNAVAILABLE,
                        "the message could not be stored; it was not sent"), requestId));
            }
        };
    }

    /** A future that a waiter completes. */
    static Waiter into(CompletableFuture<ClubStore.Stored> future) {
        return new Waiter() {
            @Override
            public void stored(ClubStore.Stored stored) {
                future.complete(stored);
            }

            @Override
            public void failed(RuntimeException failure) {
                future.completeExceptionally(failure);
            }
        };
    }
}
