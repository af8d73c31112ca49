package org.clubchat.service;

import java.util.HashMap;
import java.util.Map;
import org.clubchat.club.Club;
import org.clubchat.club.ClubRegistry;
import org.clubchat.club.Member;
import org.clubchat.delivery.Outbox;
import org.clubchat.protocol.ClientMessage;

/**
 * One open WebSocket connection and the clubs it is in.
 *
 * <p>{@code clubs} and {@code closed} are guarded by {@code this}. The container delivers one
 * connection's messages one at a time, but it may report the close on another thread (a server-side
 * close, a shutdown), so joining, leaving, chatting and closing all hold this lock. A club's lock is
 * taken inside it, never the other way round.
 */
public final class Connection {
    private final Member member;
    private final Outbox outbox;
    private final Map<String, Club> clubs = new HashMap<>();
    private boolean closed;

    Connection(String id, String name, Outbox outbox) {
        this.member = new Member(id, name, outbox);
        this.outbox = outbox;
    }

    public String id() {
        return member.connectionId();
    }

    public String name() {
        return member.name();
    }

    public Outbox outbox() {
        return outbox;
    }

    synchronized boolean isMember(String clubId) {
        return clubs.containsKey(clubId);
    }

    synchronized void join(ClubRegistry registry, ClientMessage.Join join, String requestId) {
        if (!closed) {
            clubs.put(join.clubId(), registry.join(join.clubId(), member, join.since(), join.epoch(), requestId));
        }
    }

    /** @return false if the connection is not in the club */
    synchronized boolean leave(String clubId, String requestId) {
        Club club = clubs.remove(clubId);
        if (club == null) {
            return false;
        }
        club.leave(member.connectionId(), requestId);
        return true;
    }

    /** @return false if the connection is not in the club (or has closed meanwhile) */
    synchronized boolean chat(String clubId, String message, String requestId) {
        Club club = clubs.get(clubId);
        if (club == null) {
            return false;
        }
        club.chat(member.connectionId(), message, requestId);
        return true;
    }

    /** Leaves every club without replies; runs once, later calls do nothing. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        clubs.values().forEach(club -> club.disconnect(member.connectionId()));
        clubs.clear();
    }
}
