package org.clubchat.redis;

import io.lettuce.core.StreamMessage;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.OptionalLong;
import org.clubchat.club.Deletion;
import org.clubchat.club.Member;
import org.clubchat.club.MessageLog;
import org.clubchat.club.NameNews;
import org.clubchat.club.Replay;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Closes;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ServerMessage;

/**
 * This node's part of a Redis-backed club: its local members and their joins, their chats that Redis has
 * not answered yet ({@link UnansweredChats}), and the club's messages handed to them in order
 * ({@link ClubFeed}). Used
 * only on the store's events thread, which also creates and drops it; Redis's answers come back to that
 * thread as new tasks.
 *
 * <p>Every request gets a definite answer in time (docs/protocol.md, "Answers are definite and
 * bounded"): a join Redis did not answer is {@code unavailable} and undone; chats are settled by
 * {@link UnansweredChats}. A member never meets a silent gap: messages reach it in seq order from the
 * club's channel, a gap in the channel is filled from the club's stream, and when the stream no longer
 * holds what is missing, the members are closed with 1011 ("What was lost").
 *
 * <p>Longer than most classes here (about 660 lines): every request of a local member (join, chat,
 * history, delete, members, leave) reads and changes the one state above on the events thread, so they
 * stay together; the feed ({@link ClubFeed}), the chats awaiting answers ({@link UnansweredChats}) and the
 * operators' requests ({@link OperatorRequests}) are their own classes.
 */
final class RedisClub {
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

    private final Map<String, Local> members = new LinkedHashMap<>();
    private final Map<String, Joining> joining = new HashMap<>();
    /**
     * The club's names as this node follows them, whatever the club's size: the first local join reads
     * them, the presence events keep them, so later joins read no names from Redis and a large club's
     * count is their number.
     */
    private final ClubNames names;
    /** What the local members are told of the names: presence, or in a large club a count a second. */
    private final NameNews nameNews;
    /** With the history store: the oldest seq it held when the club's run was last read from it. */
    private long firstStored;
    private final ClubFeed feed;
    private final UnansweredChats unanswered;

    RedisClub(RedisClubStore store, ClubScripts scripts, ClubKeys keys) {
        this.store = store;
        this.scripts = scripts;
        this.keys = keys;
        this.feed = new ClubFeed(store, scripts, keys, new ClubFeed.Club() {
            @Override
            public void deliver(long seq, Map<String, String> entry) {
                RedisClub.this.deliver(seq, entry);
            }

            @Override
            public void missed() {
                closeAll(Closes.MISSED_MESSAGES, Metrics.GAP);
            }

            @Override
            public void runLost() {
                // Redis lost the club: the members reconnect and join its new run, as after a server restart.
                closeAll(Closes.SHUTDOWN, null);
            }
        });
        this.nameNews = new NameNews(keys.clubId(), new NameNews.Audience() {
            @Override
            public NavigableSet<String> names() {
                return names.names();
            }

            @Override
            public void offerToOthers(String except, Frame frame) {
                members.values().stream().filter(local -> !local.member.name().equals(except)).forEach(local -> local.offer(frame));
            }
        }, store.codec(), store.clock(), store.presenceLimit(), () -> store.onEvents(this::sendDueCount));
        this.names = new ClubNames(nameNews::changed, this::readNames);
        this.unanswered = new UnansweredChats(store, scripts, keys, feed::catchUp, this::committed,
                () -> feed.epoch() != null ? feed.epoch() : ClubScripts.newId());
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
        store.then(scripts.join(keys, member.name(), field, store.log() == null, names.names() == null), (joined, failure) -> {
            if (failure != null) {
                store.lost(failure);
                joinFailed(member, field, present, requestId, attempt);
            } else if (store.log() != null) {
                store.answered();
                readRun(member, field, present, since, lastEpoch, requestId, joined, attempt);
            } else {
                store.answered();
                joinAnswered(member, field, since, lastEpoch, requestId, joined, attempt);
            }
        });
    }

    /** The join could not be made: it is undone and answered {@code unavailable}. */
    private void joinFailed(Member member, String field, Local present, String requestId, Joining attempt) {
        if (present == null) {
            // Redis may have run it after all: the leave takes it out again, behind it on the connection.
            store.leave(keys, member.name(), field);
            store.metrics().redisJoinUndone();
        }
        member.delivery().offer(store.error(ErrorCode.UNAVAILABLE, "the club is unavailable; join again", requestId));
        joinDone(member.connectionId(), attempt);
    }

    /**
     * With the history store, the club's run and seq are the store's: read from it for the club's first
     * local join (made there if the club is new, so every node agrees on its epoch), and from then on the
     * feed's, which goes on from there.
     */
    private void readRun(Member member, String field, Local present, OptionalLong since, String lastEpoch, String requestId,
            ClubScripts.Joined joined, Joining attempt) {
        if (feed.delivered() >= 0) {
            joinAnswered(member, field, since, lastEpoch, requestId, new ClubScripts.Joined(feed.epoch(), feed.delivered(),
                    joined.names(), firstStored, joined.presenceVersion()), attempt);
            return;
        }
        // Redis answered first and the store relays only what it committed, so Redis ahead of the store in its
        // run means seqs given without the store: the store goes on after them (MessageLog.claim).
        String seenEpoch = joined.epoch().isEmpty() ? ClubScripts.newId() : joined.epoch();
        store.readStore(() -> store.log().claim(keys.clubId(), seenEpoch, joined.seq()), (run, failure) -> {
            if (failure != null) {
                joinFailed(member, field, present, requestId, attempt);
                return;
            }
            firstStored = run.firstSeq();
            joinAnswered(member, field, since, lastEpoch, requestId, new ClubScripts.Joined(run.epoch(), run.lastSeq(),
                    joined.names(), run.firstSeq(), joined.presenceVersion()), attempt);
        });
    }

    private void joinAnswered(Member member, String field, OptionalLong since, String lastEpoch, String requestId,
            ClubScripts.Joined joined, Joining attempt) {
        if (feed.epoch() != null && !joined.epoch().equals(feed.epoch())) {
            closeAll(Closes.SHUTDOWN, null);
        }
        feed.joined(joined.epoch(), joined.seq());
        if (joined.names() != null) {
            names.read(joined.presenceVersion(), joined.names());
        }
        String epoch = feed.epoch();
        // Messages this node has handed out already are behind the joiner too: live delivery goes on from there.
        long seq = Math.max(joined.seq(), feed.delivered());
        Local local = members.computeIfAbsent(member.connectionId(), id -> new Local(member, field, seq));
        Replay asked = Replay.of(since, lastEpoch, epoch, seq);
        if (!asked.replaysUpTo(seq)) {
            local.offer(joinedFrame(local.member.name(), seq, asked.recovered(seq + 1), joined.firstSeq(), null, requestId));
            joinDone(member.connectionId(), attempt);
            return;
        }
        local.held = new ArrayList<>();
        if (store.log() != null) {
            replayFromStore(local, asked, seq, joined, requestId, attempt);
            return;
        }
        store.then(scripts.log(keys, asked.from(), seq), (replay, failure) -> {
            if (members.get(member.connectionId()) == local && epoch.equals(feed.epoch())) {
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
            replayFailed(local, requestId);
            return;
        }
        store.answered();
        long firstHeld = replay.isEmpty() ? seq + 1 : ClubScripts.seqOf(replay.get(0));
        local.offer(joinedFrame(local.member.name(), seq, asked.recovered(firstHeld), asked.firstSeq(joined.firstSeq(), firstHeld),
                null, requestId));
        for (StreamMessage<String, String> entry : replay) {
            local.offer(chatFrame(ClubScripts.seqOf(entry), entry.getBody()));
        }
        held.forEach(local::offer);
    }

    /** The replay could not be read: the member is taken out again and answered {@code unavailable}. */
    private void replayFailed(Local local, String requestId) {
        members.remove(local.member.connectionId());
        store.leave(keys, local.member.name(), local.field);
        local.member.delivery().offer(store.error(ErrorCode.UNAVAILABLE, "the club is unavailable; join again", requestId));
    }

    /**
     * Reads the replay from the history store, at most {@code replayMax} messages, the newest ({@code
     * replayFrom} says where they begin: docs/protocol.md, "Capped replay"), then answers the join.
     */
    private void replayFromStore(Local local, Replay asked, long seq, ClubScripts.Joined joined, String requestId, Joining attempt) {
        String connectionId = local.member.connectionId();
        String epoch = feed.epoch();
        long from = Math.max(asked.from(), seq - store.replayMax() + 1);
        store.readStore(() -> store.log().read(keys.clubId(), from, seq), (read, failure) -> {
            if (members.get(connectionId) == local && epoch.equals(feed.epoch())) {
                List<Frame> held = local.held;
                local.held = null;
                if (failure != null) {
                    replayFailed(local, requestId);
                } else {
                    long firstHeld = read.isEmpty() ? seq + 1 : read.get(0).seq();
                    boolean capped = from > asked.from();
                    long firstSeq = firstHeld > from ? Math.max(joined.firstSeq(), firstHeld) : joined.firstSeq();
                    local.offer(joinedFrame(local.member.name(), seq, capped ? Boolean.FALSE : asked.recovered(firstHeld), firstSeq,
                            capped ? from : null, requestId));
                    read.forEach(entry -> local.offer(store.codec().frame(entry.seen())));
                    held.forEach(local::offer);
                }
            }
            joinDone(connectionId, attempt);
        });
    }

    /** The join has its answer: what the connection asked for meanwhile runs now, in order. */
    private void joinDone(String connectionId, Joining attempt) {
        joining.remove(connectionId);
        attempt.after.forEach(Runnable::run);
        unsubscribeIfEmpty();
    }

    /** The joiner's {@code joined}: the names list the joiner, whose own presence event may still be on its way. */
    private Frame joinedFrame(String joiner, long seq, Boolean recovered, long firstSeq, Long replayFrom, String requestId) {
        int count = names.names().size() + (names.names().contains(joiner) ? 0 : 1);
        return store.codec().frame(new ServerMessage.Joined(keys.clubId(), nameNews.listedWith(joiner), seq, feed.epoch(), recovered,
                firstSeq, count, replayFrom), requestId);
    }

    /** Sends the member's message, or acknowledges a resend of its key as a duplicate; {@code not_member} if its join failed. */
    void chat(Member member, String message, String key, String requestId, long arrived) {
        String connectionId = member.connectionId();
        if (joining.containsKey(connectionId)) {
            joining.get(connectionId).after.add(() -> chat(member, message, key, requestId, arrived));
            return;
        }
        Local sending = members.get(connectionId);
        if (sending == null) {
            store.notMember(keys.clubId(), member, requestId);
            return;
        }
        Member sender = sending.member;
        // With the history store a chat needs only the store: Redis passes it on to the other nodes once back.
        if (store.log() == null && !store.connected()) {
            sender.delivery().offer(store.error(ErrorCode.UNAVAILABLE, "the message could not be stored; it was not sent", requestId));
            return;
        }
        unanswered.send(sender, message, key, requestId, arrived);
    }

    /**
     * With the history store: a chat of a local member, committed. The local members get it from here (in
     * order, through the feed), the other nodes through Redis.
     */
    private void committed(MessageLog.Taken taken, Map<String, String> entry) {
        feed.published(taken.epoch(), taken.seq(), entry);
        store.relay(keys, taken, entry);
    }

    /**
     * Answers {@code history} from what the node has handed out: with the history store, read from it;
     * without, from the club's stream. One message more than asked for is read, to learn whether older
     * ones are held.
     */
    void history(Member member, ClientMessage.History asked, String requestId) {
        if (!actsNow(member, requestId, () -> history(member, asked, requestId))) {
            return;
        }
        long top = asked.top(feed.delivered());
        long from = asked.from(top);
        if (top < from) {
            member.delivery().offer(store.codec().frame(new ServerMessage.History(keys.clubId(), List.of(), false), requestId));
            return;
        }
        if (store.log() != null) {
            store.readStore(() -> store.log().read(keys.clubId(), Math.max(1, from - 1), top), (read, failure) -> {
                if (failure != null) {
                    historyUnavailable(member, requestId);
                } else {
                    historyRead(member, from, read.stream().map(MessageLog.Entry::seen).toList(), requestId);
                }
            });
            return;
        }
        store.then(scripts.log(keys, Math.max(1, from - 1), top), (read, failure) -> {
            if (failure != null) {
                store.lost(failure);
                historyUnavailable(member, requestId);
            } else {
                store.answered();
                historyRead(member, from, read.stream().map(entry -> ClubScripts.seenOf(keys.clubId(), entry)).toList(),
                        requestId);
            }
        });
    }

    /**
     * Whether a member's request runs now: one that comes while the member's join is out waits for its
     * answer ({@code later} runs then), and one of a connection not in the club is answered {@code not_member}.
     */
    private boolean actsNow(Member member, String requestId, Runnable later) {
        String connectionId = member.connectionId();
        if (joining.containsKey(connectionId)) {
            joining.get(connectionId).after.add(later);
            return false;
        }
        if (!members.containsKey(connectionId)) {
            store.notMember(keys.clubId(), member, requestId);
            return false;
        }
        return true;
    }

    private void historyRead(Member member, long from, List<ServerMessage.Numbered> read, String requestId) {
        member.delivery().offer(store.codec().frame(ServerMessage.History.readBack(keys.clubId(), from, read), requestId));
    }

    /**
     * Deletes one of the member's messages (docs/protocol.md, "Deleting"): with the history store, the
     * store decides and Redis follows; without, Redis decides. Every node's members are told through the
     * club's channel, the requester by this node, with its request's {@code id}.
     */
    void delete(Member member, long seq, String requestId) {
        if (!actsNow(member, requestId, () -> delete(member, seq, requestId))) {
            return;
        }
        if (seq < 1 || seq > feed.delivered()) {
            deleteAnswered(member, seq, Deletion.NOT_FOUND, requestId);
            return;
        }
        String requester = scripts.requester(member.connectionId());
        if (store.log() == null) {
            store.then(scripts.delete(keys, seq, member.sender(), requester, false), (outcome, failure) -> {
                if (failure != null) {
                    store.lost(failure);
                    deleteUnavailable(member, requestId);
                } else {
                    store.answered();
                    deleteAnswered(member, seq, outcome, requestId);
                }
            });
            return;
        }
        store.readStore(() -> store.log().delete(keys.clubId(), seq, member.sender()), (outcome, failure) -> {
            if (failure != null) {
                deleteUnavailable(member, requestId);
                return;
            }
            if (outcome == Deletion.DELETED) {
                store.followDeletion(keys, seq, requester);
            }
            deleteAnswered(member, seq, outcome, requestId);
        });
    }

    private void deleteAnswered(Member member, long seq, Deletion outcome, String requestId) {
        if (outcome.answered()) {
            member.delivery().offer(store.codec().frame(new ServerMessage.Deleted(keys.clubId(), seq), requestId));
        } else if (outcome == Deletion.FORBIDDEN) {
            member.delivery().offer(store.error(ErrorCode.FORBIDDEN,
                    "message " + seq + " was sent by someone else: only its sender may delete it", requestId));
        } else {
            member.delivery().offer(store.error(ErrorCode.NOT_FOUND, "club " + keys.clubId() + " holds no message " + seq, requestId));
        }
    }

    private void deleteUnavailable(Member member, String requestId) {
        member.delivery().offer(store.error(ErrorCode.UNAVAILABLE, "the club's history cannot be changed just now; try again",
                requestId));
    }

    /**
     * A deletion on any node: the local members get the tombstone (but the one that asked, which its node
     * answered), or, for a message the feed holds back behind a gap, the tombstone takes its place.
     */
    private void deletedElsewhere(long seq, String requester) {
        if (seq > feed.delivered()) {
            feed.deleted(seq);
            return;
        }
        Frame tombstone = store.codec().frame(new ServerMessage.Deleted(keys.clubId(), seq));
        members.forEach((id, local) -> {
            if (!scripts.requester(id).equals(requester)) {
                local.offer(tombstone);
            }
        });
    }

    /** Answers {@code members} (rev 3) from the club's names as this node follows them. */
    void members(Member member, ClientMessage.Members asked, String requestId) {
        if (actsNow(member, requestId, () -> members(member, asked, requestId))) {
            members.get(member.connectionId()).offer(store.codec().frame(nameNews.members(asked), requestId));
        }
    }

    /** The count {@link NameNews} held back for its second. */
    private void sendDueCount() {
        if (names.names() != null) {
            nameNews.sendDue();
        }
    }

    private void historyUnavailable(Member member, String requestId) {
        member.delivery().offer(store.error(ErrorCode.UNAVAILABLE, "the club's history cannot be read just now; try again",
                requestId));
    }

    /** A message or presence event published by any node, this one included. */
    void published(JsonObject event) {
        if (event.getString("k").equals("deleted")) {
            if (event.getString("epoch").equals(feed.epoch())) {
                deletedElsewhere(event.getJsonNumber("seq").longValue(), event.getString("by"));
            }
            return;
        }
        if (event.getString("k").equals("presence")) {
            names.event(event.getJsonNumber("v").longValue(), event.getString("event").equals("join")
                    ? ServerMessage.Presence.Event.JOIN : ServerMessage.Presence.Event.LEAVE, event.getString("name"));
            return;
        }
        feed.published(event.getString("epoch"), event.getJsonNumber("seq").longValue(), Map.of("ts", event.getString("ts"),
                "from", event.getString("from"), "message", event.getString("message"), "node", event.getString("node"),
                "conn", event.getString("conn"), "req", event.getString("req"), "att", event.getString("att", "")));
    }

    /**
     * The club's channel is subscribed (again): presence events published while it was not (a SUBSCRIBE
     * refused while the pub/sub connection was down, a reconnect, a failover) are lost, so the names
     * Redis holds are read and the local members told of every difference from what they know.
     */
    void resync() {
        if (names.names() != null) {
            readNames();
        }
    }

    /** Reads the club's names for {@link ClubNames}, which tells the local members what changed. */
    private void readNames() {
        int generation = names.generation();
        store.then(scripts.presence(keys), (read, failure) -> {
            if (generation != names.generation()) {
                return;
            }
            if (failure != null) {
                store.lost(failure);
                names.readFailed();
            } else if (names.names() != null) {
                names.read(read.version(), read.names());
            }
        });
    }

    /**
     * Puts this node's members back into the club in Redis, as each one's join did, after the node was
     * taken for dead while it lived (its peers removed its members): the others get presence {@code join}
     * again, and the club's keys are kept. If the club's run changed meanwhile (its keys expired, or Redis
     * restarted empty), the members are closed with 1001 and join its new run, as after a restart.
     *
     * @param failed told when Redis did not answer, so that the store tries again
     */
    void reassert(Runnable failed) {
        for (Local local : List.copyOf(members.values())) {
            store.then(scripts.join(keys, local.member.name(), local.field, store.log() == null, false), (joined, failure) -> {
                if (failure != null) {
                    store.lost(failure);
                    failed.run();
                } else if (store.log() == null && members.get(local.member.connectionId()) == local && feed.epoch() != null
                        && !joined.epoch().equals(feed.epoch())) {
                    closeAll(Closes.SHUTDOWN, null);
                }
            });
        }
    }

    /**
     * From the store's sweep, every second: answers every request that is about to run out of time, and
     * says which run of the club the sweep is to check in Redis ({@link #checked}; null for none).
     */
    String check() {
        unanswered.check(feed.delivered());
        names.check();
        return feed.checking();
    }

    ClubKeys keys() {
        return keys;
    }

    /** The sweep read the club's run: notices when Redis lost the club (restarted without persistence), and catches up with what the channel missed. */
    void checked(String checkedEpoch, ClubScripts.Run run) {
        feed.checked(checkedEpoch, run);
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
            unanswered.close(local.member, close, feed.delivered());
            store.leave(keys, local.member.name(), local.field);
        }
        members.clear();
        names.reset();
        unanswered.clear();
        feed.reset();
        unsubscribeIfEmpty();
    }

    /** Takes the member out of the club and answers {@code left}, after its join's answer if that is still out. */
    void leave(Member member, String requestId, String reason) {
        if (joining.containsKey(member.connectionId())) {
            joining.get(member.connectionId()).after.add(() -> leave(member, requestId, reason));
            return;
        }
        remove(member.connectionId());
        member.delivery().offer(store.codec().frame(new ServerMessage.Left(keys.clubId(), reason), requestId));
    }

    /** Takes a closed connection out of the club; what it sent and Redis has not answered needs no answer now. */
    void disconnect(String connectionId) {
        if (joining.containsKey(connectionId)) {
            joining.get(connectionId).after.add(() -> disconnect(connectionId));
            return;
        }
        unanswered.forget(connectionId);
        remove(connectionId);
    }

    private void remove(String connectionId) {
        Local leaving = members.remove(connectionId);
        if (leaving != null) {
            store.leave(keys, leaving.member.name(), leaving.field);
            unsubscribeIfEmpty();
        }
    }

    /** Once this node has nobody in the club, it leaves the club's channel and takes the club out of its index. */
    private void unsubscribeIfEmpty() {
        if (members.isEmpty() && joining.isEmpty()) {
            store.unsubscribe(keys);
        }
    }

    private void deliver(long seq, Map<String, String> entry) {
        if (ClubScripts.isTombstone(entry)) {
            Frame tombstone = store.codec().frame(new ServerMessage.Deleted(keys.clubId(), seq));
            members.values().stream().filter(local -> local.joinedAt < seq).forEach(local -> local.offer(tombstone));
            return;
        }
        long start = System.nanoTime();
        Frame chat = null;
        int deliveries = 0;
        UnansweredChats.Asker acked = unanswered.settle(entry);
        // Its sender: the chat it settles, else (its answer forgotten) the connection the message names, if here.
        String sender = acked != null ? acked.sender().connectionId()
                : entry.get("node").equals(store.node()) ? entry.get("conn") : null;
        String request = acked != null ? acked.requestId() : entry.get("req").isEmpty() ? null : entry.get("req");
        for (Local local : members.values()) {
            if (local.joinedAt >= seq) {
                continue;
            }
            if (local.member.connectionId().equals(sender)) {
                local.offer(store.codec().frame(new ServerMessage.Ack(keys.clubId(), seq, false), request));
            } else {
                chat = chat != null ? chat : chatFrame(seq, entry);
                local.offer(chat);
                deliveries++;
            }
        }
        if (acked != null && !members.containsKey(acked.sender().connectionId())) {
            // The sender left the club before its message came round; its ack still goes out.
            acked.sender().delivery().offer(store.codec().frame(new ServerMessage.Ack(keys.clubId(), seq, false), acked.requestId()));
        }
        store.metrics().chatFannedOut(deliveries, System.nanoTime() - start);
    }

    private Frame chatFrame(long seq, Map<String, String> entry) {
        return store.codec().frame(ClubScripts.seenOf(keys.clubId(), seq, entry));
    }

}
