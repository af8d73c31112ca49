package org.clubchat.service;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Future;
import org.clubchat.club.ClubStore;
import org.clubchat.club.Member;
import org.clubchat.club.Membership;
import org.clubchat.delivery.Outbox;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ServerMessage;
import org.clubchat.security.Identity;

/**
 * One open client connection, whatever its wire: who it is, the clubs it is in, and how fast it may send.
 *
 * <p>{@code identity}, {@code clubs}, {@code closed}, {@code allowance} and {@code expiry} are guarded by {@code this}. An
 * adapter delivers one connection's messages one at a time, but the close is handled on a closer
 * thread (see {@link Gateway#closed}), so joining, leaving, chatting and closing all hold this
 * lock. A club's lock is taken inside it, never the other way round. {@code lastHeard} is volatile: the
 * keep-alive sweep reads it without the lock.
 */
public final class Connection {
    private final Member member;
    private Identity identity;
    private final Outbox outbox;
    private final int maxClubs;
    private final Map<String, Membership> clubs = new HashMap<>();
    private final SendAllowance allowance;
    private boolean closed;
    private Future<?> expiry;
    private volatile long lastHeard;
    private final InboundQueue inbound;

    Connection(String id, Identity identity, Outbox outbox, Limits limits, long now) {
        this.member = new Member(id, identity.name(), identity.sender(), outbox);
        this.identity = identity;
        this.outbox = outbox;
        this.maxClubs = limits.maxClubs();
        this.allowance = new SendAllowance(limits);
        this.inbound = new InboundQueue(limits.outboxMaxBytes());
        this.lastHeard = now;
    }

    public String id() {
        return member.connectionId();
    }

    public synchronized Identity identity() {
        return identity;
    }

    public Outbox outbox() {
        return outbox;
    }

    /**
     * Whether its close has been decided (a refusal, an expired token, an operator, a flood, the client):
     * from then on nothing it sent is acted upon, however far the close itself has got.
     */
    boolean isClosing() {
        return outbox.isClosed();
    }

    /** Keeps the connection's messages in order while a hook is out. */
    InboundQueue inbound() {
        return inbound;
    }

    /** Notes that the peer sent something (a frame or a pong) at {@code now}, in nanoseconds. */
    void heard(long now) {
        lastHeard = now;
    }

    long lastHeard() {
        return lastHeard;
    }

    /** Takes one frame's worth of its allowance; see {@link SendAllowance}. */
    synchronized SendAllowance.Verdict admitFrame(SendAllowance.Kind kind, long now) {
        return allowance.admit(kind, now);
    }

    /** The task that closes the connection when its token expires, cancelled if it closes first. */
    synchronized void expireWith(Future<?> task) {
        if (closed) {
            task.cancel(false);
        } else {
            expiry = task;
        }
    }

    /**
     * Puts a refreshed token's identity (same {@code sub}) in force with its own expiry, and leaves, with
     * {@code left} and reason {@code forbidden}, the clubs it no longer allows.
     */
    synchronized void reauthorize(Identity fresh, Future<?> freshExpiry) {
        if (closed) {
            if (freshExpiry != null) {
                freshExpiry.cancel(false);
            }
            return;
        }
        if (expiry != null) {
            expiry.cancel(false);
        }
        expiry = freshExpiry;
        identity = fresh;
        clubs.entrySet().removeIf(club -> {
            if (fresh.mayUse(club.getKey())) {
                return false;
            }
            club.getValue().leave(member.connectionId(), null, ServerMessage.Left.FORBIDDEN);
            return true;
        });
    }

    synchronized boolean isMember(String clubId) {
        return clubs.containsKey(clubId);
    }

    /** @return false if joining would take the connection past its club limit */
    synchronized boolean join(ClubStore store, ClientMessage.Join join, String requestId) {
        if (closed || isClosing()) {
            return true;
        }
        if (!hasRoomFor(join.clubId())) {
            return false;
        }
        clubs.put(join.clubId(), store.join(join.clubId(), member, join.since(), join.epoch(), requestId));
        return true;
    }

    /** @return whether a join of this club stays within the club limit (a club it is in always does) */
    synchronized boolean hasRoomFor(String clubId) {
        return clubs.containsKey(clubId) || clubs.size() < maxClubs;
    }

    /** @return false if the connection is not in the club */
    synchronized boolean leave(String clubId, String requestId) {
        if (isClosing()) {
            return true;
        }
        Membership club = clubs.remove(clubId);
        if (club == null) {
            return false;
        }
        club.leave(member.connectionId(), requestId, null);
        return true;
    }

    /** @return false if the connection is not in the club (or has closed meanwhile) */
    synchronized boolean chat(String clubId, String message, String key, String requestId, long arrived) {
        if (isClosing()) {
            return true;
        }
        Membership club = clubs.get(clubId);
        if (club == null) {
            return false;
        }
        club.chat(member.connectionId(), message, key, requestId, arrived);
        return true;
    }

    /** @return false if the connection is not in the club */
    synchronized boolean history(ClientMessage.History history, String requestId) {
        if (isClosing()) {
            return true;
        }
        Membership club = clubs.get(history.clubId());
        if (club == null) {
            return false;
        }
        club.history(member.connectionId(), history, requestId);
        return true;
    }

    /** @return false if the connection is not in the club */
    synchronized boolean delete(ClientMessage.Delete delete, String requestId) {
        if (isClosing()) {
            return true;
        }
        Membership club = clubs.get(delete.clubId());
        if (club == null) {
            return false;
        }
        club.delete(member.connectionId(), delete.seq(), requestId);
        return true;
    }

    /** @return false if the connection is not in the club */
    synchronized boolean members(ClientMessage.Members asked, String requestId) {
        if (isClosing()) {
            return true;
        }
        Membership club = clubs.get(asked.clubId());
        if (club == null) {
            return false;
        }
        club.members(member.connectionId(), asked, requestId);
        return true;
    }

    /** Leaves every club without replies; runs once, later calls do nothing. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (expiry != null) {
            expiry.cancel(false);
        }
        clubs.values().forEach(club -> club.disconnect(member.connectionId()));
        clubs.clear();
    }
}
