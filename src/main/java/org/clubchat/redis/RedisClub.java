package org.clubchat.redis;

import io.lettuce.core.StreamMessage;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.clubchat.club.Member;
import org.clubchat.club.Replay;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Closes;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ServerMessage;

/**
 * This node's part of a Redis-backed club: its local members, how far the club's messages have been
 * handed to them, and the requests Redis has not answered yet. Used only on the store's events thread,
 * which also creates and drops it; Redis's answers come back to that thread as new tasks.
 *
 * <p>Every request gets a definite answer within {@link #ANSWER_WITHIN} (docs/protocol.md, "Answers are
 * definite and bounded"): a join Redis did not answer is {@code unavailable} and undone; a chat Redis
 * did not answer is asked after by its receipt, then acknowledged if it was stored or answered
 * {@code unavailable} if it certainly was not; when even that cannot be learned in time, the sender is
 * closed with 1011 and re-joins with {@code since}. A member never meets a silent gap: messages reach it
 * in seq order from the club's channel, a gap in the channel is filled from the club's stream, and when
 * the stream no longer holds what is missing, the members are closed with 1011 ("What was lost").
 */
final class RedisClub {
    /** Within this, counted from its arrival, every request has its answer (the protocol says 10 s). */
    static final long ANSWER_WITHIN = TimeUnit.SECONDS.toNanos(8);
    /** Channel messages kept while a gap before them is read from the stream; more means the node cannot keep up. */
    private static final int AHEAD_AT_MOST = 10_000;

    private final RedisClubStore store;
    private final ClubScripts scripts;
    private final ClubKeys keys;

    /** A local member: its join's field in Redis, and the frames held back while its replay is read. */
    private static final class Local {
        final Member member;
        final String field;
        /** The seq its join answered: it has had everything up to there already. */
        final long joinedAt;
        /** Non-null while the member's {@code joined} waits for its replay: live frames wait here, in order. */
        List<Frame> held;

        Local(Member member, String field, long joinedAt) {
            this.member = member;
            this.field = field;
            this.joinedAt = joinedAt;
        }

        void offer(Frame frame) {
            if (held != null) {
                held.add(frame);
            } else {
                member.delivery().offer(frame);
            }
        }
    }

    /** A join Redis has not finished answering, with what the connection asked for after it, in order. */
    private static final class Joining {
        final List<Runnable> after = new ArrayList<>();
    }

    /** A chat sent to Redis and not answered yet; {@code seq} is 0 until Redis said it was stored. */
    private static final class PendingChat {
        final Member sender;
        final String attempt;
        /** The name of its receipt: per attempt, or per sender and key. */
        final String dedupe;
        final String requestId;
        final long arrived = System.nanoTime();
        long seq;
        /** Redis did not answer the append, so its receipt must be asked for. */
        boolean unknown;
        /** The receipt has been asked for and not answered yet. */
        boolean asking;

        PendingChat(Member sender, String attempt, String dedupe, String requestId) {
            this.sender = sender;
            this.attempt = attempt;
            this.dedupe = dedupe;
            this.requestId = requestId;
        }
    }

    private final Map<String, Local> members = new LinkedHashMap<>();
    private final Map<String, Joining> joining = new HashMap<>();
    private final Map<String, PendingChat> pending = new LinkedHashMap<>();
    /** Channel messages past a gap, by seq, until the gap is read from the stream. */
    private final TreeMap<Long, Map<String, String>> ahead = new TreeMap<>();
    private String epoch;
    /** The highest seq handed to the local members; -1 before a join has read the club. */
    private long delivered = -1;
    /** {@code delivered} at the previous check: a club whose channel stalled catches up from the stream. */
    private long deliveredAtLastCheck = -1;
    /** Whether a read of the stream is out; one at a time, so that they are handed out in order. */
    private boolean reading;
    /** The seq the stream is to be read up to once the read that is out comes back. */
    private long readUpTo;

    RedisClub(RedisClubStore store, ClubScripts scripts, ClubKeys keys) {
        this.store = store;
        this.scripts = scripts;
        this.keys = keys;
    }

    /**
     * Adds the connection to the club in Redis, then answers {@code joined} and the replay it asks for,
     * and from then on hands it the club's messages. Requests of the same connection to this club that
     * arrive meanwhile wait for the join's answer.
     */
    void join(Member member, OptionalLong since, String lastEpoch, String requestId) {
        String connectionId = member.connectionId();
        if (joining.containsKey(connectionId)) {
            joining.get(connectionId).after.add(() -> join(member, since, lastEpoch, requestId));
            return;
        }
        if (members.isEmpty() && joining.isEmpty()) {
            store.subscribe(keys);
        }
        Local present = members.get(connectionId);
        String field = present != null ? present.field : scripts.field(connectionId);
        Joining attempt = new Joining();
        joining.put(connectionId, attempt);
        store.then(scripts.join(keys, member.name(), field), (joined, failure) -> {
            if (failure != null) {
                store.lost(failure);
                if (present == null) {
                    // Redis may have run it after all: the leave takes it out again, behind it on the connection.
                    store.leave(keys, member.name(), field, othersHere(connectionId));
                    store.metrics().redisJoinUndone();
                }
                member.delivery().offer(store.error(ErrorCode.UNAVAILABLE, "the club is unavailable; join again", requestId));
                joinDone(connectionId, attempt);
            } else {
                store.answered();
                joinAnswered(member, field, since, lastEpoch, requestId, joined, attempt);
            }
        });
    }

    private void joinAnswered(Member member, String field, OptionalLong since, String lastEpoch, String requestId,
            ClubScripts.Joined joined, Joining attempt) {
        if (epoch != null && !joined.epoch().equals(epoch)) {
            closeAll(Closes.SHUTDOWN, null);
        }
        if (delivered < 0) {
            epoch = joined.epoch();
            delivered = joined.seq();
            deliveredAtLastCheck = delivered;
        }
        // Messages this node has handed out already are behind the joiner too: live delivery goes on from there.
        long seq = Math.max(joined.seq(), delivered);
        Local local = members.computeIfAbsent(member.connectionId(), id -> new Local(member, field, seq));
        Replay asked = Replay.of(since, lastEpoch, epoch, seq);
        if (!asked.replaysUpTo(seq)) {
            local.offer(joinedFrame(joined, seq, asked.recovered(seq + 1), requestId));
            joinDone(member.connectionId(), attempt);
            return;
        }
        local.held = new ArrayList<>();
        String runEpoch = epoch;
        store.then(scripts.log(keys, asked.from(), seq), (replay, failure) -> {
            if (members.get(member.connectionId()) == local && runEpoch.equals(epoch)) {
                replayRead(local, asked, seq, joined, requestId, replay, failure);
            }
            joinDone(member.connectionId(), attempt);
        });
    }

    private void replayRead(Local local, Replay asked, long seq, ClubScripts.Joined joined, String requestId,
            List<StreamMessage<String, String>> replay, Throwable failure) {
        List<Frame> held = local.held;
        local.held = null;
        if (failure != null) {
            store.lost(failure);
            members.remove(local.member.connectionId());
            store.leave(keys, local.member.name(), local.field, othersHere(local.member.connectionId()));
            local.member.delivery().offer(store.error(ErrorCode.UNAVAILABLE, "the club is unavailable; join again", requestId));
            return;
        }
        store.answered();
        local.offer(joinedFrame(joined, seq, asked.recovered(replay.isEmpty() ? seq + 1 : ClubScripts.seqOf(replay.get(0))), requestId));
        for (StreamMessage<String, String> entry : replay) {
            local.offer(chatFrame(ClubScripts.seqOf(entry), entry.getBody()));
        }
        held.forEach(local::offer);
    }

    /** The join has its answer: what the connection asked for meanwhile runs now, in order. */
    private void joinDone(String connectionId, Joining attempt) {
        joining.remove(connectionId);
        attempt.after.forEach(Runnable::run);
        unsubscribeIfEmpty();
    }

    private Frame joinedFrame(ClubScripts.Joined joined, long seq, Boolean recovered, String requestId) {
        return store.codec().frame(new ServerMessage.Joined(keys.clubId(), joined.names(), seq, epoch, recovered,
                joined.firstSeq()), requestId);
    }

    /** Sends the member's message, or acknowledges a resend of its key as a duplicate; {@code not_member} if its join failed. */
    void chat(Member member, String message, String key, String requestId) {
        String connectionId = member.connectionId();
        if (joining.containsKey(connectionId)) {
            joining.get(connectionId).after.add(() -> chat(member, message, key, requestId));
            return;
        }
        Local sending = members.get(connectionId);
        if (sending == null) {
            store.notMember(keys.clubId(), member, requestId);
            return;
        }
        Member sender = sending.member;
        if (!store.connected()) {
            sender.delivery().offer(store.error(ErrorCode.UNAVAILABLE, "the message could not be stored; it was not sent", requestId));
            return;
        }
        String attempt = ClubScripts.newId();
        String keyId = key == null ? null : ClubScripts.keyId(sender.sender(), key);
        PendingChat chat = new PendingChat(sender, attempt, keyId != null ? keyId : ClubScripts.attemptId(attempt), requestId);
        pending.put(chat.attempt, chat);
        // The ack goes out when the message is handed out, in seq order, from the channel or the stream.
        store.then(scripts.append(keys, attempt, keyId, sender.name(), message, connectionId, requestId), (appended, failure) -> {
            if (pending.get(chat.attempt) != chat) {
                return;
            }
            if (failure != null) {
                store.lost(failure);
                chat.unknown = true;
                askReceipt(chat);
            } else {
                store.answered();
                chat.seq = appended.seq();
                if (appended.duplicate()) {
                    ackDuplicate(chat);
                }
            }
        });
    }

    /** A resend of a key already stored: its original seq, and nothing handed out again. */
    private void ackDuplicate(PendingChat chat) {
        pending.remove(chat.attempt);
        chat.sender.delivery().offer(store.codec().frame(new ServerMessage.Ack(keys.clubId(), chat.seq, true), chat.requestId));
    }

    /**
     * Asks Redis whether a chat it did not answer was stored. The question goes on the connection that
     * carried the chat, behind it, so Redis answers only once it has run the chat if it ever will:
     * no receipt means the chat was certainly not stored.
     */
    private void askReceipt(PendingChat chat) {
        if (chat.asking) {
            return;
        }
        chat.asking = true;
        store.then(scripts.receipt(keys, chat.dedupe), (seq, failure) -> {
            chat.asking = false;
            if (pending.get(chat.attempt) != chat) {
                return;
            }
            if (failure != null) {
                store.lost(failure);
            } else if (seq.isPresent()) {
                chat.unknown = false;
                chat.seq = seq.get();
                catchUp(chat.seq);
            } else {
                pending.remove(chat.attempt);
                chat.sender.delivery().offer(store.error(ErrorCode.UNAVAILABLE,
                        "the message could not be stored; it was not sent", chat.requestId));
            }
        });
    }

    /** A message or presence event published by any node, this one included. */
    void published(JsonObject event) {
        if (event.getString("k").equals("presence")) {
            String name = event.getString("name");
            ServerMessage.Presence.Event kind = event.getString("event").equals("join")
                    ? ServerMessage.Presence.Event.JOIN : ServerMessage.Presence.Event.LEAVE;
            Frame presence = store.codec().frame(new ServerMessage.Presence(keys.clubId(), kind, name));
            members.values().stream().filter(local -> !local.member.name().equals(name)).forEach(local -> local.offer(presence));
            return;
        }
        if (delivered < 0 || !event.getString("epoch").equals(epoch)) {
            check();
            return;
        }
        long seq = event.getJsonNumber("seq").longValue();
        if (seq <= delivered) {
            return;
        }
        ahead.put(seq, Map.of("ts", event.getString("ts"), "from", event.getString("from"), "message",
                event.getString("message"), "node", event.getString("node"), "conn", event.getString("conn"),
                "req", event.getString("req"), "att", event.getString("att", "")));
        handAhead();
        if (!ahead.isEmpty()) {
            if (ahead.size() > AHEAD_AT_MOST) {
                closeAll(Closes.MISSED_MESSAGES, Metrics.GAP);
            } else {
                catchUp(ahead.firstKey() - 1);
            }
        }
    }

    /**
     * From the store's sweep, every second: notices when Redis lost the club (restarted without
     * persistence), catches up with what the channel missed, and answers every request that is about to
     * run out of time.
     */
    void check() {
        long now = System.nanoTime();
        for (PendingChat chat : List.copyOf(pending.values())) {
            if (now - chat.arrived >= ANSWER_WITHIN) {
                // No answer can come in time: the sender re-joins with since and finds its message there if it was stored.
                pending.remove(chat.attempt);
                store.metrics().redisMemberClosed(chat.unknown ? Metrics.UNCONFIRMED : Metrics.GAP);
                chat.sender.delivery().close(chat.unknown ? Closes.UNCONFIRMED : Closes.MISSED_MESSAGES);
            } else if (chat.unknown) {
                askReceipt(chat);
            } else if (chat.seq > 0 && chat.seq > delivered) {
                catchUp(chat.seq);
            } else if (chat.seq > 0) {
                // Its seq was handed out without it: an earlier send with its key stored the message.
                ackDuplicate(chat);
            }
        }
        if (delivered < 0) {
            return;
        }
        String checkedEpoch = epoch;
        store.then(scripts.run(keys), (run, failure) -> {
            if (failure != null) {
                store.lost(failure);
                return;
            }
            if (delivered < 0 || !checkedEpoch.equals(epoch)) {
                return;
            }
            if (run.epoch() == null || !run.epoch().equals(epoch)) {
                // Redis lost the club: the members reconnect and join its new run, as after a server restart.
                closeAll(Closes.SHUTDOWN, null);
                return;
            }
            if (delivered == deliveredAtLastCheck && run.seq() > delivered) {
                catchUp(run.seq());
            }
            deliveredAtLastCheck = delivered;
        });
    }

    /** Reads the stream after {@code delivered} up to {@code seq} and hands it out; one read at a time. */
    private void catchUp(long seq) {
        readUpTo = Math.max(readUpTo, seq);
        if (reading || delivered < 0 || readUpTo <= delivered) {
            return;
        }
        reading = true;
        long from = delivered + 1;
        long to = readUpTo;
        String readEpoch = epoch;
        store.then(scripts.log(keys, from, to), (entries, failure) -> {
            reading = false;
            if (delivered < 0 || !readEpoch.equals(epoch)) {
                return;
            }
            if (failure != null) {
                store.lost(failure);
                return;
            }
            for (StreamMessage<String, String> entry : entries) {
                ahead.putIfAbsent(ClubScripts.seqOf(entry), entry.getBody());
            }
            handAhead();
            if (delivered < to) {
                // The stream no longer holds what comes next: members would skip it without knowing.
                closeAll(Closes.MISSED_MESSAGES, Metrics.GAP);
                return;
            }
            catchUp(readUpTo);
        });
    }

    /** Hands out the messages that continue the club's seqs without a gap. */
    private void handAhead() {
        while (!ahead.isEmpty() && ahead.firstKey() <= delivered + 1) {
            Map.Entry<Long, Map<String, String>> next = ahead.pollFirstEntry();
            if (next.getKey() == delivered + 1) {
                deliver(next.getKey(), next.getValue());
            }
        }
    }

    /**
     * Closes every local member (they re-join) and takes them out of the club in Redis; the club's local
     * state starts afresh with the next join.
     */
    private void closeAll(Close close, String reason) {
        for (Local local : members.values()) {
            if (reason != null) {
                store.metrics().redisMemberClosed(reason);
            }
            local.member.delivery().close(close);
            store.leave(keys, local.member.name(), local.field, !joining.isEmpty());
        }
        members.clear();
        pending.clear();
        ahead.clear();
        epoch = null;
        delivered = -1;
        deliveredAtLastCheck = -1;
        readUpTo = 0;
        unsubscribeIfEmpty();
    }

    /** Takes the member out of the club and answers {@code left}, after its join's answer if that is still out. */
    void leave(Member member, String requestId) {
        if (joining.containsKey(member.connectionId())) {
            joining.get(member.connectionId()).after.add(() -> leave(member, requestId));
            return;
        }
        remove(member.connectionId());
        member.delivery().offer(store.codec().frame(new ServerMessage.Left(keys.clubId()), requestId));
    }

    /** Takes a closed connection out of the club; what it sent and Redis has not answered needs no answer now. */
    void disconnect(String connectionId) {
        if (joining.containsKey(connectionId)) {
            joining.get(connectionId).after.add(() -> disconnect(connectionId));
            return;
        }
        pending.values().removeIf(chat -> chat.sender.connectionId().equals(connectionId));
        remove(connectionId);
    }

    private void remove(String connectionId) {
        Local leaving = members.remove(connectionId);
        if (leaving != null) {
            store.leave(keys, leaving.member.name(), leaving.field, othersHere(connectionId));
            unsubscribeIfEmpty();
        }
    }

    /** Whether this node keeps members in the club besides {@code connectionId} (its club index in Redis keeps the club). */
    private boolean othersHere(String connectionId) {
        return members.keySet().stream().anyMatch(id -> !id.equals(connectionId))
                || joining.keySet().stream().anyMatch(id -> !id.equals(connectionId));
    }

    private void unsubscribeIfEmpty() {
        if (members.isEmpty() && joining.isEmpty()) {
            store.unsubscribe(keys);
        }
    }

    private void deliver(long seq, Map<String, String> entry) {
        long start = System.nanoTime();
        Frame chat = null;
        int deliveries = 0;
        PendingChat acked = pending.remove(entry.getOrDefault("att", ""));
        boolean ours = entry.get("node").equals(store.node());
        for (Local local : members.values()) {
            if (local.joinedAt >= seq) {
                continue;
            }
            if (ours && local.member.connectionId().equals(entry.get("conn"))) {
                String request = entry.get("req");
                local.offer(store.codec().frame(new ServerMessage.Ack(keys.clubId(), seq, false), request.isEmpty() ? null : request));
            } else {
                chat = chat != null ? chat : chatFrame(seq, entry);
                local.offer(chat);
                deliveries++;
            }
        }
        if (acked != null && !members.containsKey(acked.sender.connectionId())) {
            // The sender left the club before its message came round; its ack still goes out.
            acked.sender.delivery().offer(store.codec().frame(new ServerMessage.Ack(keys.clubId(), seq, false), acked.requestId));
        }
        delivered = Math.max(delivered, seq);
        store.metrics().chatFannedOut(deliveries, System.nanoTime() - start);
    }

    private Frame chatFrame(long seq, Map<String, String> entry) {
        return store.codec().frame(new ServerMessage.Chat(keys.clubId(), entry.get("from"), entry.get("message"), seq,
                Long.parseLong(entry.get("ts"))));
    }
}
