package org.clubchat.redis;

import org.clubchat.club.Member;
import org.clubchat.club.Membership;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ServerMessage;

/**
 * A connection's membership of a Redis-backed club: each call finds the club's local part on the
 * store's events thread. A connection that is not in it (its join failed while Redis was away, so the
 * club may not even be held) gets not_member for a chat, and its leave is answered as usual.
 */
final class RedisMembership implements Membership {
    private final RedisClubStore store;
    private final String clubId;
    private final Member member;

    RedisMembership(RedisClubStore store, String clubId, Member member) {
        this.store = store;
        this.clubId = clubId;
        this.member = member;
    }

    @Override
    public void chat(String connectionId, String message, String key, String requestId, long arrived) {
        store.onEvents(() -> {
            RedisClub club = store.localClub(clubId);
            if (club != null) {
                club.chat(member, message, key, requestId, arrived);
            } else if (!member.delivery().isClosed()) {
                // A member the club closed meanwhile (a gap) needs no answer; one whose join failed does.
                store.notMember(clubId, member, requestId);
            }
        });
    }

    @Override
    public void leave(String connectionId, String requestId, String reason) {
        store.onEvents(() -> {
            RedisClub club = store.localClub(clubId);
            if (club == null) {
                member.delivery().offer(store.codec().frame(new ServerMessage.Left(clubId, reason), requestId));
            } else {
                club.leave(member, requestId, reason);
            }
        });
    }

    @Override
    public void history(String connectionId, ClientMessage.History history, String requestId) {
        store.onEvents(() -> {
            RedisClub club = store.localClub(clubId);
            if (club != null) {
                club.history(member, history, requestId);
            } else if (!member.delivery().isClosed()) {
                store.notMember(clubId, member, requestId);
            }
        });
    }

    @Override
    public void delete(String connectionId, long seq, String requestId) {
        store.onEvents(() -> {
            RedisClub club = store.localClub(clubId);
            if (club != null) {
                club.delete(member, seq, requestId);
            } else if (!member.delivery().isClosed()) {
                store.notMember(clubId, member, requestId);
            }
        });
    }

    @Override
    public void members(String connectionId, ClientMessage.Members asked, String requestId) {
        store.onEvents(() -> {
            RedisClub club = store.localClub(clubId);
            if (club != null) {
                club.members(member, asked, requestId);
            } else if (!member.delivery().isClosed()) {
                store.notMember(clubId, member, requestId);
            }
        });
    }

    @Override
    public void disconnect(String connectionId) {
        store.onEvents(() -> {
            RedisClub club = store.localClub(clubId);
            if (club != null) {
                club.disconnect(connectionId);
            }
        });
    }
}
