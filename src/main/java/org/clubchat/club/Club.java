package org.clubchat.club;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.clubchat.delivery.Closes;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;

/**
 * One club: its members, its seq counter, its epoch and its history.
 *
 * <p>{@code lock} guards every mutable field. Under it, and only under it, members change, presence is
 * decided, a seq is taken, history grows and the resulting frames are offered to the members'
 * deliveries. That makes "take the next seq and hand the frame to every member" one atomic step: seqs
 * are gapless, every member's outbox receives the club's frames in seq order, and a joiner gets
 * {@code joined} and its replay before any live frame. Messages are never sent while the lock is held:
 * {@link org.clubchat.delivery.Delivery#offer} only queues, and the server's outboxes send on their
 * writer threads.
 *
 * <p>With a {@link MessageLog} the step is split in two around the log, never holding the lock across it:
 * the seq is taken and the message queued for the log under the lock ({@link Commits} keeps it; queueing
 * does not wait, and keeps the club's messages in seq order, which the log requires), the log commits it,
 * and under the lock again what is committed without a gap goes to history, the members and its sender's
 * {@code ack}.
 * So an {@code ack} means committed and whatever a member receives is stored; a failure takes back every
 * message still waiting, so seqs stay gapless. Reads from the log (a replay past what memory holds) are
 * made before the lock is taken. A deletion is decided by the log, also outside the lock, and followed
 * under it (the tombstone in history, {@code deleted} to the members); a replay or page read from the log
 * while a deletion went on is read again, so that it cannot bring the deleted text back.
 *
 * <p>Longer than the other classes here (about 730 lines): one lock guards one state (members, seqs,
 * history, keys, commits), and the join, chat, commit, read-back, delete and leave paths that change or
 * read it belong together; who is in the club ({@link Roster}) and how the others hear of it
 * ({@link NameNews}), the commits ({@link Commits}) and history ({@link History}) are their own classes.
 */
public final class Club implements Membership {
    private final String id;
    private final String epoch;
    private final ProtocolCodec codec;
    private final InstantSource clock;
    private final Metrics metrics;
    private final ReentrantLock lock = new ReentrantLock();

    private final Roster members = new Roster();
    private final History history;
    private final SentKeys keys = new SentKeys();
    /** The last seq taken; with a log, messages past {@code committed} are waiting in {@code commits}. */
    private long seq;
    /** The last seq handed out (and, with a log, committed): what members and joiners see. */
    private long committed;
    private long emptySinceMillis;
    private boolean retired;
    /** Drops the club from its registry once it has retired on its own (see {@link #remove}); called outside the lock. */
    private final Consumer<Club> forget;

    /** Where the club's messages last, or null when it lives in memory only. */
    private final MessageLog log;
    /** Messages taken but not committed; null without a log. */
    private final Commits commits;
    /** The most messages a join's replay sends. */
    private final int replayMax;
    /** With a log: the oldest seq it holds ({@code committed + 1} when none). */
    private long firstStored;
    private final NameNews nameNews;
    /**
     * How many messages have been deleted here: what was read from the log before a deletion may still
     * hold it, and is read again.
     */
    private long deletions;

    /** @param forget drops the club from its registry when it retires as its last member goes, unused */
    Club(String id, String epoch, int historySize, ProtocolCodec codec, InstantSource clock, Metrics metrics,
            Consumer<Club> forget) {
        this(id, epoch, historySize, codec, clock, metrics, forget, null, null, Integer.MAX_VALUE, PresenceLimit.NONE);
    }

    /**
     * A club whose messages last in {@code log}, starting where its {@code run} stands there.
     *
     * @param replayMax the most messages one join replays
     */
    Club(String id, String epoch, int historySize, ProtocolCodec codec, InstantSource clock, Metrics metrics,
            Consumer<Club> forget, MessageLog log, MessageLog.Run run, int replayMax, PresenceLimit presenceLimit) {
        this.id = id;
        this.nameNews = new NameNews(id, members, codec, clock, presenceLimit, this::sendDueCount);
        this.forget = forget;
        this.epoch = run != null ? run.epoch() : epoch;
        this.codec = codec;
        this.clock = clock;
        this.metrics = metrics;
        this.history = new History(historySize);
        this.emptySinceMillis = clock.millis();
        this.log = log;
        this.commits = log == null ? null : new Commits();
        this.replayMax = replayMax;
        if (run != null) {
            seq = run.lastSeq();
            committed = run.lastSeq();
            firstStored = run.firstSeq();
        } else {
            firstStored = 1;
        }
        if (run != null) {
            history.startAfter(run.newest().isEmpty() ? run.lastSeq() : run.newest().get(0).seq() - 1);
            run.newest().forEach(entry -> history.append(entry.seq(), frameOf(entry), entry.isDeleted() ? null : entry.sender()));
            run.recentKeys().forEach(entry -> keys.remember(entry.sender(), entry.key(), entry.seq(), entry.ts()));
        }
    }

    public String id() {
        return id;
    }

    public String epoch() {
        return epoch;
    }

    /**
     * Adds the member (or finds it already there), answers {@code joined}, replays what {@code since}
     * asks for (at most {@code replayMax} messages, the newest; {@code replayFrom} says where they begin),
     * and tells the others if the member's name is new to the club. What memory no longer holds is read
     * from the log first, outside the lock, and the join is then made with it.
     *
     * @return false if the club was retired by the registry and the caller must use a fresh one
     * @throws ClubStore.Unavailable when the replay needs the log and it cannot be read now
     */
    boolean join(Member member, OptionalLong since, String lastEpoch, String requestId) {
        List<Frame> stored = List.of();
        long storedUpTo = -1;
        long storedAtDeletions = -1;
        long firstFound = 0;
        while (true) {
            long readFrom;
            long readTo;
            long readAtDeletions;
            lock.lock();
            try {
                if (retired) {
                    return false;
                }
                // Retention deletes from the log's oldest end: what a read no longer finds is gone.
                firstStored = Math.max(firstStored, firstFound);
                Replay asked = Replay.of(since, lastEpoch, epoch, committed);
                long from = Math.max(asked.from(), committed - replayMax + 1);
                long cached = history.oldestSeq();
                readFrom = Math.max(from, firstStored);
                readTo = cached - 1;
                if (log == null || !asked.replaysUpTo(committed) || readFrom > readTo
                        || storedUpTo >= readTo && storedAtDeletions == deletions) {
                    join(member, asked, from, stored, requestId);
                    return true;
                }
                readAtDeletions = deletions;
            } finally {
                lock.unlock();
            }
            List<MessageLog.Entry> read = log.read(id, readFrom, readTo);
            stored = read.stream().map(this::frameOf).toList();
            storedUpTo = readTo;
            storedAtDeletions = readAtDeletions;
            long firstRead = read.isEmpty() ? readTo + 1 : read.get(0).seq();
            if (firstRead > readFrom) {
                firstFound = firstRead;
            }
        }
    }

    /** The join itself, under the lock: {@code stored} are the messages before what history holds, read from the log. */
    private void join(Member member, Replay asked, long from, List<Frame> stored, String requestId) {
        boolean nameArrives = members.add(member);
        List<Frame> replay = new ArrayList<>();
        if (asked.replaysUpTo(committed)) {
            long after = from - 1;
            for (Frame frame : stored) {
                if (seqOf(frame) > after) {
                    replay.add(frame);
                    after = seqOf(frame);
                }
            }
            replay.addAll(history.after(after));
        }
        long oldest = log == null ? history.oldestSeq() : firstStored;
        boolean capped = asked.replaysUpTo(committed) && from > asked.from();
        Boolean recovered = capped ? Boolean.FALSE : asked.recovered(Math.max(asked.from(), oldest));
        member.delivery().offer(codec.frame(new ServerMessage.Joined(id, nameNews.listed(), committed, epoch,
                recovered, oldest, members.distinct(), capped ? from : null), requestId));
        replay.forEach(member.delivery()::offer);
        if (nameArrives) {
            nameNews.changed(member.name(), ServerMessage.Presence.Event.JOIN);
        }
    }

    private static long seqOf(Frame held) {
        return ((ServerMessage.Numbered) held.message()).seq();
    }

    private Frame frameOf(MessageLog.Entry entry) {
        return codec.frame(entry.seen());
    }

    /**
     * Takes the next seq for the sender's message and acknowledges it, having handed it to every other
     * member: at once in memory, once committed with a log; a key its sender already used here is
     * acknowledged as a duplicate instead.
     */
    @Override
    public void chat(String connectionId, String message, String key, String requestId, long arrived) {
        long accepted = System.nanoTime();
        Commits.Commit commit;
        CompletionStage<Void> appended = null;
        lock.lock();
        try {
            Member sender = members.get(connectionId);
            if (sender == null) {
                throw new IllegalStateException(connectionId + " is not in club " + id);
            }
            if (log != null) {
                commit = take(sender, sender.sender(), sender.name(), message, key, requestId, null);
                appended = append(commit);
            } else {
                commit = null;
                ClubStore.Stored stored = appendOnce(sender, sender.sender(), sender.name(), message, key, accepted);
                sender.delivery().offer(codec.frame(new ServerMessage.Ack(id, stored.seq(), stored.duplicate()), requestId));
            }
        } finally {
            lock.unlock();
        }
        store(commit, appended);
    }

    /**
     * A message from outside the club (the HTTP publish API): the next seq, history, and every member;
     * a key the API already used here gives the seq it got instead.
     *
     * @return where it stands once stored, or null if the club was retired and the caller must use a fresh one
     */
    CompletableFuture<ClubStore.Stored> publish(String from, String message, String key) {
        long accepted = System.nanoTime();
        CompletableFuture<ClubStore.Stored> published = new CompletableFuture<>();
        Commits.Commit commit = null;
        CompletionStage<Void> appended = null;
        lock.lock();
        try {
            if (retired) {
                return null;
            }
            if (log != null) {
                commit = take(null, ClubStore.PUBLISHER, from, message, key, null, Commits.into(published));
                appended = append(commit);
            } else {
                published.complete(appendOnce(null, ClubStore.PUBLISHER, from, message, key, accepted));
            }
        } finally {
            lock.unlock();
        }
        store(commit, appended);
        return published;
    }

    /**
     * {@link #append}, unless {@code sender} already used {@code key} here: then the seq that message got.
     * Under the lock.
     */
    private ClubStore.Stored appendOnce(Member except, String sender, String from, String message, String key,
            long acceptedNanos) {
        keys.forget(history.oldestSeq(), clock.millis());
        OptionalLong sent = key == null ? OptionalLong.empty() : keys.find(sender, key);
        if (sent.isPresent()) {
            return new ClubStore.Stored(sent.getAsLong(), true);
        }
        long next = append(except, sender, from, message, acceptedNanos);
        if (key != null) {
            keys.remember(sender, key, next, clock.millis());
        }
        return new ClubStore.Stored(next, false);
    }

    /**
     * With a log: takes the next seq for a message and queues it for its commit, or, for a key already
     * used here, answers the resend as a duplicate once its original is committed. Under the lock.
     *
     * @param sender the member, or null for the publish API (then {@code waiter} is told instead)
     * @return the commit to send to the log, or null when there is none
     */
    private Commits.Commit take(Member sender, String keySender, String from, String message, String key, String requestId,
            Commits.Waiter waiter) {
        keys.forget(history.oldestSeq(), clock.millis());
        OptionalLong sent = key == null ? OptionalLong.empty() : keys.find(keySender, key);
        Commits.Waiter told = waiter != null ? waiter : Commits.acknowledging(sender.delivery(), requestId, id, codec);
        if (sent.isPresent()) {
            Commits.Commit original = commits.waitingFor(sent.getAsLong());
            if (original != null) {
                original.resends().add(told);
            } else {
                told.stored(new ClubStore.Stored(sent.getAsLong(), true));
            }
            return null;
        }
        long next = ++seq;
        Frame chat = codec.frame(new ServerMessage.Chat(id, from, message, next, clock.millis()));
        if (key != null) {
            keys.remember(keySender, key, next, clock.millis());
        }
        return commits.add(next, chat, sender, waiter, requestId, keySender, key);
    }

    /**
     * Queues a commit for the log, under the lock, so that the club's messages reach the log in seq order
     * (the log refuses them otherwise); queueing does not wait. Null for none.
     */
    private CompletionStage<Void> append(Commits.Commit commit) {
        if (commit == null) {
            return null;
        }
        ServerMessage.Chat chat = (ServerMessage.Chat) commit.frame().message();
        return log.append(new MessageLog.Entry(id, epoch, commit.seq(), chat.ts(), commit.keySender(), chat.from(), chat.message(),
                commit.key()));
    }

    /** Outside the lock: the log's answer hands the message out, or takes it back. */
    private void store(Commits.Commit commit, CompletionStage<Void> appended) {
        if (commit == null) {
            return;
        }
        appended.whenComplete((done, failure) -> {
                    if (failure == null) {
                        committed(commit);
                    } else {
                        failed(commit, failure instanceof RuntimeException runtime ? runtime : new MessageLog.Refused("", failure));
                    }
                });
    }

    /** The log committed it: what is now committed without a gap goes to history, the members and the senders. */
    private void committed(Commits.Commit commit) {
        List<Runnable> afterwards = new ArrayList<>();
        lock.lock();
        try {
            if (!commits.isCurrent(commit)) {
                return;
            }
            for (Commits.Commit ready : commits.committed(commit)) {
                committed = ready.seq();
                history.append(ready.seq(), ready.frame(), ready.keySender());
                members.offerToOthers(ready.sender(), ready.frame());
                if (ready.sender() != null) {
                    // The sender may have left the club meanwhile; its ack goes out all the same.
                    ready.sender().delivery().offer(codec.frame(new ServerMessage.Ack(id, ready.seq(), false), ready.requestId()));
                }
                if (ready.publisher() != null) {
                    afterwards.add(() -> ready.publisher().stored(new ClubStore.Stored(ready.seq(), false)));
                }
                ready.resends().forEach(resend -> afterwards.add(() -> resend.stored(new ClubStore.Stored(ready.seq(), true))));
            }
        } finally {
            lock.unlock();
        }
        afterwards.forEach(Runnable::run);
    }

    /**
     * The log did not take it: every message still waiting is taken back (its seq free again, its key
     * forgotten) and answered {@code unavailable}; one that was a resend of a key the log holds from
     * before what memory remembers is answered as the duplicate it is. When the log may have stored it, or is ahead of the
     * club, the club cannot go on from where it stands: its members are closed with 1011 (they re-join
     * with {@code since} and find what was stored) and it retires, to be read again from the log.
     */
    private void failed(Commits.Commit commit, RuntimeException failure) {
        boolean outOfStep = failure instanceof MessageLog.Unconfirmed || failure instanceof MessageLog.OutOfStep;
        List<Runnable> afterwards = new ArrayList<>();
        lock.lock();
        try {
            if (!commits.isCurrent(commit)) {
                return;
            }
            for (Commits.Commit taken : commits.abandon()) {
                if (taken.key() != null) {
                    keys.remove(taken.keySender(), taken.key());
                }
                if (taken == commit && failure instanceof MessageLog.KeyStored stored) {
                    keys.remember(taken.keySender(), taken.key(), stored.seq(), clock.millis());
                    ClubStore.Stored duplicate = new ClubStore.Stored(stored.seq(), true);
                    Commits.Waiter told = taken.publisher() != null ? taken.publisher()
                            : Commits.acknowledging(taken.sender().delivery(), taken.requestId(), id, codec);
                    afterwards.add(() -> told.stored(duplicate));
                    taken.resends().forEach(resend -> afterwards.add(() -> resend.stored(duplicate)));
                    continue;
                }
                if (taken.sender() != null) {
                    if (failure instanceof MessageLog.Unconfirmed) {
                        taken.sender().delivery().close(Closes.UNCONFIRMED);
                    } else {
                        taken.sender().delivery().offer(codec.frame(new ServerMessage.Error(ErrorCode.UNAVAILABLE,
                                "the message could not be stored; it was not sent", null), taken.requestId()));
                    }
                }
                if (taken.publisher() != null) {
                    afterwards.add(() -> taken.publisher().failed(failure));
                }
                taken.resends().forEach(resend -> afterwards.add(() -> resend.failed(failure)));
            }
            seq = committed;
            if (outOfStep) {
                retired = true;
                members.all().forEach(member -> member.delivery().close(Closes.MISSED_MESSAGES));
                afterwards.add(() -> forget.accept(this));
            }
        } finally {
            lock.unlock();
        }
        afterwards.forEach(Runnable::run);
    }

    /** Answers a member's {@code history} with {@link #readBack}, or {@code unavailable} when the log cannot be read. */
    @Override
    public void history(String connectionId, ClientMessage.History asked, String requestId) {
        Member member = member(connectionId);
        ServerMessage.History page;
        try {
            page = readBack(asked);
        } catch (ClubStore.Unavailable e) {
            member.delivery().offer(codec.frame(new ServerMessage.Error(ErrorCode.UNAVAILABLE,
                    "the club's history cannot be read just now; try again"), requestId));
            return;
        }
        member.delivery().offer(codec.frame(page, requestId));
    }

    /**
     * The page {@code asked} reads back: from memory when it holds the range, else (with a log) from the
     * log, read outside the lock; one message more than asked for is read, to learn whether older ones
     * are held.
     *
     * @throws ClubStore.Unavailable when the log cannot be read now
     */
    ServerMessage.History readBack(ClientMessage.History asked) {
        List<ServerMessage.Numbered> read = null;
        long readAtDeletions = -1;
        while (true) {
            long top;
            long from;
            lock.lock();
            try {
                top = asked.top(committed);
                from = asked.from(top);
                if (log == null || from >= history.oldestSeq() || top < from) {
                    long oldest = log == null ? history.oldestSeq() : firstStored;
                    List<ServerMessage.Numbered> held = history.between(from, top).stream()
                            .map(frame -> (ServerMessage.Numbered) frame.message()).toList();
                    boolean more = (held.isEmpty() ? top + 1 : held.get(0).seq()) > oldest;
                    return new ServerMessage.History(id, held, more);
                }
                if (read != null && readAtDeletions == deletions) {
                    return ServerMessage.History.readBack(id, from, read);
                }
                readAtDeletions = deletions;
            } finally {
                lock.unlock();
            }
            read = log.read(id, Math.max(1, from - 1), top).stream().map(MessageLog.Entry::seen).toList();
        }
    }

    /**
     * Deletes one of the member's messages (docs/protocol.md, "Deleting"): {@code deleted} to it and to
     * the others; {@code not_found}, {@code forbidden} or {@code unavailable} to it otherwise.
     */
    @Override
    public void delete(String connectionId, long seq, String requestId) {
        Member member = member(connectionId);
        Deletion outcome;
        try {
            outcome = delete(seq, member, requestId);
        } catch (ClubStore.Unavailable e) {
            member.delivery().offer(codec.frame(new ServerMessage.Error(ErrorCode.UNAVAILABLE,
                    "the club's history cannot be changed just now; try again"), requestId));
            return;
        }
        if (outcome == Deletion.NOT_FOUND) {
            member.delivery().offer(codec.frame(new ServerMessage.Error(ErrorCode.NOT_FOUND,
                    "club " + id + " holds no message " + seq), requestId));
        } else if (outcome == Deletion.FORBIDDEN) {
            member.delivery().offer(codec.frame(new ServerMessage.Error(ErrorCode.FORBIDDEN,
                    "message " + seq + " was sent by someone else: only its sender may delete it"), requestId));
        }
    }

    /**
     * Deletes message {@code seq} if {@code requester} sent it, or whoever did when it is null (an
     * operator): memory decides without a log; with one, the log does (outside the lock) and memory
     * follows. The requester gets {@code deleted} when it is answered so, the other members when it is
     * deleted now.
     *
     * @throws ClubStore.Unavailable when the log cannot be asked now
     */
    Deletion delete(long seq, Member requester, String requestId) {
        lock.lock();
        try {
            if (seq < 1 || seq > committed) {
                return Deletion.NOT_FOUND;
            }
            if (log == null) {
                Deletion outcome;
                if (!history.holds(seq)) {
                    outcome = Deletion.NOT_FOUND;
                } else if (history.senderOf(seq) == null) {
                    outcome = Deletion.ALREADY_DELETED;
                } else if (requester != null && !requester.sender().equals(history.senderOf(seq))) {
                    outcome = Deletion.FORBIDDEN;
                } else {
                    outcome = Deletion.DELETED;
                }
                afterDeletion(seq, outcome, requester, requestId);
                return outcome;
            }
        } finally {
            lock.unlock();
        }
        Deletion outcome = log.delete(id, seq, requester == null ? null : requester.sender());
        lock.lock();
        try {
            afterDeletion(seq, outcome, requester, requestId);
        } finally {
            lock.unlock();
        }
        return outcome;
    }

    /** A message the log deleted for an erasure: memory follows, and the members are told. */
    void erasedInLog(long seq) {
        lock.lock();
        try {
            afterDeletion(seq, Deletion.DELETED, null, null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes every message memory holds that {@code who} names (a club without a log), telling the
     * members of each.
     *
     * @return how many
     */
    int erase(Erasure who) {
        lock.lock();
        try {
            int erased = 0;
            for (long seq = history.oldestSeq(); seq <= committed; seq++) {
                String sender = history.senderOf(seq);
                if (sender != null && who.matches(sender, ((ServerMessage.Chat) history.get(seq).message()).from())) {
                    afterDeletion(seq, Deletion.DELETED, null, null);
                    erased++;
                }
            }
            return erased;
        } finally {
            lock.unlock();
        }
    }

    /**
     * What follows a deletion's {@code outcome} here: the tombstone in memory and to the members but
     * {@code requester} when it is deleted now, {@code deleted} to the requester when answered so. Under
     * the lock.
     */
    private void afterDeletion(long seq, Deletion outcome, Member requester, String requestId) {
        if (outcome == Deletion.DELETED) {
            Frame tombstone = codec.frame(new ServerMessage.Deleted(id, seq));
            if (history.holds(seq)) {
                history.delete(seq, tombstone);
            }
            deletions++;
            members.offerToOthers(requester, tombstone);
        }
        if (requester != null && outcome.answered()) {
            requester.delivery().offer(codec.frame(new ServerMessage.Deleted(id, seq), requestId));
        }
    }

    private Member member(String connectionId) {
        Member member;
        lock.lock();
        try {
            member = members.get(connectionId);
        } finally {
            lock.unlock();
        }
        if (member == null) {
            throw new IllegalStateException(connectionId + " is not in club " + id);
        }
        return member;
    }

    /** The messages history holds after {@code since}, oldest first, deleted ones as their tombstones. */
    List<ServerMessage.Numbered> messagesAfter(long since) {
        lock.lock();
        try {
            return history.after(since).stream().map(frame -> (ServerMessage.Numbered) frame.message()).toList();
        } finally {
            lock.unlock();
        }
    }

    /** The count {@link NameNews} held back for its second, sent under the lock. */
    private void sendDueCount() {
        lock.lock();
        try {
            nameNews.sendDue();
        } finally {
            lock.unlock();
        }
    }

    /** Answers {@code members} (rev 3): a page of the club's names in code point order. */
    @Override
    public void members(String connectionId, ClientMessage.Members asked, String requestId) {
        lock.lock();
        try {
            Member member = members.get(connectionId);
            if (member == null) {
                throw new IllegalStateException(connectionId + " is not in club " + id);
            }
            member.delivery().offer(codec.frame(nameNews.members(asked), requestId));
        } finally {
            lock.unlock();
        }
    }

    /** Who is in the club and how far its seqs have gone. */
    public ClubView view() {
        lock.lock();
        try {
            return new ClubView(id, List.copyOf(members.names()), committed, epoch);
        } finally {
            lock.unlock();
        }
    }

    /** Takes the next seq, stores the message and offers it to every member but {@code except}. Under the lock. */
    private long append(Member except, String sender, String from, String message, long acceptedNanos) {
        long next = seq + 1;
        Frame chat = codec.frame(new ServerMessage.Chat(id, from, message, next, clock.millis()));
        seq = next;
        committed = next;
        history.append(next, chat, sender);
        int deliveries = members.offerToOthers(except, chat);
        metrics.chatFannedOut(deliveries, System.nanoTime() - acceptedNanos);
        return next;
    }

    @Override
    public void leave(String connectionId, String requestId, String reason) {
        boolean retiredNow;
        lock.lock();
        try {
            Member gone = members.get(connectionId);
            retiredNow = remove(connectionId);
            gone.delivery().offer(codec.frame(new ServerMessage.Left(id, reason), requestId));
        } finally {
            lock.unlock();
        }
        if (retiredNow) {
            forget.accept(this);
        }
    }

    @Override
    public void disconnect(String connectionId) {
        boolean retiredNow;
        lock.lock();
        try {
            retiredNow = remove(connectionId);
        } finally {
            lock.unlock();
        }
        if (retiredNow) {
            forget.accept(this);
        }
    }

    /**
     * Retires the club if it has been empty for at least {@code retentionMillis} and holds no key younger
     * than the protocol's 10 minutes (a resend must still find it); a retired club takes no
     * more joins, so the registry may drop it and a later join starts a new epoch.
     */
    boolean retireIfIdle(long nowMillis, long retentionMillis) {
        lock.lock();
        try {
            if (!retired && members.isEmpty() && nowMillis - emptySinceMillis >= retentionMillis && !keys.keepsAny(nowMillis)) {
                retired = true;
            }
            return retired;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the member out, telling the others if its name leaves the club. A club left empty without ever
     * having had a message retires at once: it has nothing worth its memory, so a
     * join and a leave cannot keep clubs alive. Under the lock.
     *
     * @return whether the club retired, and its caller must have the registry forget it
     */
    private boolean remove(String connectionId) {
        Member gone = members.remove(connectionId);
        if (!members.has(gone.name())) {
            nameNews.changed(gone.name(), ServerMessage.Presence.Event.LEAVE);
        }
        if (!members.isEmpty()) {
            return false;
        }
        emptySinceMillis = clock.millis();
        retired = seq == 0;
        return retired;
    }
}
