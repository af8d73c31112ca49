package org.clubchat.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.clubchat.club.Member;
import org.clubchat.club.Replay;
import org.clubchat.delivery.Closes;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.Names;
import org.clubchat.protocol.ServerMessage;

/**
 * This node's part of a Redis-backed club: its local members and how far the club's messages have been
 * handed to them. Used only on the store's events thread, which also creates and drops it.
 */
final class RedisClub {
    private final RedisClubStore store;
    private final ClubScripts scripts;
    private final ClubKeys keys;
    /** A local member and the seq its join read: it has had everything up to there already. */
    private static final class Local {
        final Member member;
        final long joinedAt;

        Local(Member member, long joinedAt) {
            this.member = member;
            this.joinedAt = joinedAt;
        }
    }

    /**
     * The local members. Messages reach them in the order the club's channel brings them, which is seq
     * order; the stream is read only to fill a gap in it (a publication missed while the subscription
     * was down). The stream holds only the last history-size messages, so reading it to catch up with a
     * channel that is merely behind could skip what it has already trimmed.
     */
    private final Map<String, Local> members = new LinkedHashMap<>();
    private String epoch;
    /** The highest seq handed to the local members; -1 before the first join has read the club. */
    private long delivered = -1;
    /** {@code delivered} at the previous heartbeat: a club whose channel stalled catches up from the stream. */
    private long deliveredAtLastCheck = -1;

    RedisClub(RedisClubStore store, ClubScripts scripts, ClubKeys keys) {
        this.store = store;
        this.scripts = scripts;
        this.keys = keys;
    }

    void join(Member member, OptionalLong since, String lastEpoch, String requestId) {
        try {
            if (members.isEmpty()) {
                store.subscribe(keys);
            }
            List<Object> joined = scripts.join(keys, member.name(), member.connectionId());
            String clubEpoch = (String) joined.get(0);
            long seq = (Long) joined.get(1);
            @SuppressWarnings("unchecked")
            List<String> names = new ArrayList<>((List<String>) joined.get(2));
            names.sort(Names.CODE_POINT_ORDER);
            if (delivered < 0 || !clubEpoch.equals(epoch)) {
                epoch = clubEpoch;
                delivered = seq;
            }
            Replay asked = Replay.of(since, lastEpoch, clubEpoch, seq);
            List<StreamMessage<String, String>> replay = asked.replaysUpTo(seq) ? scripts.log(keys, asked.from(), seq) : List.of();
            Boolean recovered = asked.recovered(replay.isEmpty() ? seq + 1 : ClubScripts.seqOf(replay.get(0)));
            members.put(member.connectionId(), new Local(member, seq));
            member.delivery().offer(store.codec().frame(new ServerMessage.Joined(keys.clubId(), names, seq, clubEpoch, recovered), requestId));
            for (StreamMessage<String, String> entry : replay) {
                member.delivery().offer(chatFrame(ClubScripts.seqOf(entry), entry.getBody()));
            }
            store.availability().answered();
        } catch (RedisException e) {
            store.availability().lost(e);
            member.delivery().offer(store.error(ErrorCode.UNAVAILABLE, "the club is unavailable; join again", requestId));
            if (members.isEmpty()) {
                store.unsubscribe(keys);
            }
        }
    }

    /** A message or presence event published by any node, this one included. */
    void published(JsonObject event) {
        if (event.getString("k").equals("presence")) {
            String name = event.getString("name");
            ServerMessage.Presence.Event kind = event.getString("event").equals("join")
                    ? ServerMessage.Presence.Event.JOIN : ServerMessage.Presence.Event.LEAVE;
            Frame presence = store.codec().frame(new ServerMessage.Presence(keys.clubId(), kind, name));
            members.values().stream().filter(local -> !local.member.name().equals(name))
                    .forEach(local -> local.member.delivery().offer(presence));
            return;
        }
        long seq = event.getJsonNumber("seq").longValue();
        if (delivered < 0 || !event.getString("epoch").equals(epoch)) {
            check();
            return;
        }
        if (seq > delivered) {
            catchUp(seq - 1);
            deliver(seq, Map.of("ts", event.getString("ts"), "from", event.getString("from"), "message",
                    event.getString("message"), "node", event.getString("node"), "conn", event.getString("conn"),
                    "req", event.getString("req")));
        }
    }

    /** Hands the local members every stored message up to {@code seq} that they have not had yet. */
    void catchUp(long seq) {
        if (delivered < 0 || seq <= delivered) {
            return;
        }
        for (StreamMessage<String, String> entry : scripts.log(keys, delivered + 1, seq)) {
            deliver(ClubScripts.seqOf(entry), entry.getBody());
        }
        delivered = Math.max(delivered, seq);
    }

    /**
     * From the heartbeat: catches up with what the subscription may have missed, and notices when Redis
     * lost the club (restarted without persistence): the members are closed with 1001 so that they
     * reconnect and join the club's new run, as after a server restart.
     */
    void check() {
        String current = scripts.epoch(keys);
        if (current == null || !current.equals(epoch)) {
            if (!members.isEmpty()) {
                members.values().forEach(local -> local.member.delivery().close(Closes.SHUTDOWN));
            }
            return;
        }
        long seq = scripts.seq(keys);
        if (delivered == deliveredAtLastCheck && seq > delivered) {
            catchUp(seq);
        }
        deliveredAtLastCheck = delivered;
    }

    /** @return false if the connection is not in the club (its join failed) */
    boolean chat(String connectionId, String message, String requestId) {
        Local sending = members.get(connectionId);
        if (sending == null) {
            return false;
        }
        Member sender = sending.member;
        try {
            // The message comes back on the club's channel, in seq order: the ack goes out from there.
            scripts.append(keys, sender.name(), message, connectionId, requestId);
            store.availability().answered();
        } catch (RedisException e) {
            store.availability().lost(e);
            sender.delivery().offer(store.error(ErrorCode.UNAVAILABLE,
                    "the message could not be stored; it was not sent", requestId));
        }
        return true;
    }

    /** Takes the connection out of the club; false if it was not in it (its join failed). */
    boolean remove(String connectionId) {
        Local leaving = members.remove(connectionId);
        if (leaving == null) {
            return false;
        }
        Member gone = leaving.member;
        store.leave(keys, gone.name(), connectionId, !members.isEmpty());
        if (members.isEmpty()) {
            store.unsubscribe(keys);
        }
        return true;
    }

    private void deliver(long seq, Map<String, String> entry) {
        long start = System.nanoTime();
        Frame chat = null;
        int deliveries = 0;
        boolean ours = entry.get("node").equals(store.node());
        for (Local local : members.values()) {
            if (local.joinedAt >= seq) {
                continue;
            }
            Member member = local.member;
            if (ours && member.connectionId().equals(entry.get("conn"))) {
                String request = entry.get("req");
                member.delivery().offer(store.codec().frame(new ServerMessage.Ack(keys.clubId(), seq),
                        request.isEmpty() ? null : request));
            } else {
                chat = chat != null ? chat : chatFrame(seq, entry);
                member.delivery().offer(chat);
                deliveries++;
            }
        }
        delivered = Math.max(delivered, seq);
        store.metrics().chatFannedOut(deliveries, System.nanoTime() - start);
    }

    private Frame chatFrame(long seq, Map<String, String> entry) {
        return store.codec().frame(new ServerMessage.Chat(keys.clubId(), entry.get("from"), entry.get("message"), seq,
                Long.parseLong(entry.get("ts"))));
    }
}
