package org.clubchat.redis;

import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Leaves that Redis did not take (it was away), retried in order on each heartbeat until it takes
 * them: a member that left must not stay in the club's list. Used only on the store's events thread.
 */
final class LeaveRetries {
    /** A leave that Redis has not taken yet. */
    record Leave(ClubKeys keys, String name, String connection, boolean nodeStillThere) {
    }

    private final ClubScripts scripts;
    private final Queue<Leave> pending = new ArrayDeque<>();

    LeaveRetries(ClubScripts scripts) {
        this.scripts = scripts;
    }

    void add(Leave leave) {
        pending.add(leave);
    }

    /** Runs the pending leaves, oldest first; stops with Redis's exception at the first it cannot take. */
    void retry() {
        while (!pending.isEmpty()) {
            Leave leave = pending.peek();
            scripts.leave(leave.keys(), leave.name(), leave.connection(), leave.nodeStillThere());
            pending.remove();
        }
    }
}
