package org.clubchat.redis;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;

/**
 * Leaves that Redis did not take (it was away or did not answer), sent again in order until it takes
 * them: a member that left, or a join that was undone, must not stay in the club's list. Leaves are
 * idempotent, so sending one that Redis did take after all changes nothing. Used only on the store's
 * events thread, which {@code events} runs the answers on.
 */
final class LeaveRetries {
    /** A leave that Redis has not taken yet. */
    record Leave(ClubKeys keys, String name, String field) {
    }

    private final ClubScripts scripts;
    private final Executor events;
    private final Queue<Leave> pending = new ArrayDeque<>();
    /** Whether a retry is out and unanswered: one at a time, so they reach Redis in order. */
    private boolean sending;

    LeaveRetries(ClubScripts scripts, Executor events) {
        this.scripts = scripts;
        this.events = events;
    }

    void add(Leave leave) {
        pending.add(leave);
    }

    /** Sends the pending leaves, oldest first, one after another; stops at the first Redis does not take. */
    void retry() {
        if (sending || pending.isEmpty()) {
            return;
        }
        sending = true;
        Leave leave = pending.peek();
        scripts.leave(leave.keys(), leave.name(), leave.field())
                .whenCompleteAsync((done, failure) -> {
                    sending = false;
                    if (failure == null) {
                        pending.remove();
                        retry();
                    }
                }, events);
    }
}
