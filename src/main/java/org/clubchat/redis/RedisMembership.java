package org.clubchat.redis;

import java.util.function.Consumer;
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
        inClub(requestId, club -> club.chat(member, message, key, requestId, arrived));
    }

    /**
     * Runs a request on the club's local part, on the events thread; without one, {@code not_member}. A
     * member the club closed meanwhile (a gap) needs no answer; one whose join failed does.
     */
    private void inClub(String requestId, Consumer<RedisClub> request) {
        store.onEvents(() -> {
            RedisClub club = store.localClub(clubId);
            if (club != null) {
                request.accept(club);
            } else if (!member.delivery().isClosed()) {
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
        inClub(requestId, club -> club.history(member, history, requestId));
    }

    @Override
    public void delete(String connectionId, long seq, String requestId) {
        inClub(requestId, club -> club.delete(member, seq, requestId));
    }

    @Override
    public void members(String connectionId, ClientMessage.Members asked, String requestId) {
        inClub(requestId, club -> club.members(member, asked, requestId));
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
