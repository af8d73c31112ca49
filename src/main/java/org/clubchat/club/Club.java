package org.clubchat.club;

import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.Names;
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
 */
public final class Club implements Membership {
    private final String id;
    private final String epoch;
    private final ProtocolCodec codec;
    private final InstantSource clock;
    private final Metrics metrics;
    private final ReentrantLock lock = new ReentrantLock();

    private final Map<String, Member> members = new HashMap<>();
    /** How many of this club's connections carry each name; its keys are the distinct, sorted names. */
    private final TreeMap<String, Integer> connectionsByName = new TreeMap<>(Names.CODE_POINT_ORDER);
    private final History history;
    private final SentKeys keys = new SentKeys();
    private long seq;
    private long emptySinceMillis;
    private boolean retired;
    /** Drops the club from its registry once it has retired on its own (see {@link #remove}); called outside the lock. */
    private final Consumer<Club> forget;

    /** @param forget drops the club from its registry when it retires as its last member goes, unused */
    Club(String id, String epoch, int historySize, ProtocolCodec codec, InstantSource clock, Metrics metrics,
            Consumer<Club> forget) {
        this.id = id;
        this.forget = forget;
        this.epoch = epoch;
        this.codec = codec;
        this.clock = clock;
        this.metrics = metrics;
        this.history = new History(historySize);
        this.emptySinceMillis = clock.millis();
    }

    public String id() {
        return id;
    }

    public String epoch() {
        return epoch;
    }

    /**
     * Adds the member (or finds it already there), answers {@code joined}, replays what {@code since}
     * asks for, and tells the others if the member's name is new to the club.
     *
     * @return false if the club was retired by the registry and the caller must use a fresh one
     */
    boolean join(Member member, OptionalLong since, String lastEpoch, String requestId) {
        lock.lock();
        try {
            if (retired) {
                return false;
            }
            Member present = members.putIfAbsent(member.connectionId(), member);
            boolean nameArrives = present == null && connectionsByName.merge(member.name(), 1, Integer::sum) == 1;

            Replay asked = Replay.of(since, lastEpoch, epoch, seq);
            List<Frame> replay = asked.replaysUpTo(seq) ? history.after(asked.from() - 1) : List.of();
            Boolean recovered = asked.recovered(Math.max(asked.from(), history.oldestSeq()));
            List<String> names = List.copyOf(connectionsByName.keySet());
            member.delivery().offer(codec.frame(new ServerMessage.Joined(id, names, seq, epoch, recovered, history.oldestSeq()), requestId));
            replay.forEach(member.delivery()::offer);
            if (nameArrives) {
                offerToOthers(member,
                        codec.frame(new ServerMessage.Presence(id, ServerMessage.Presence.Event.JOIN, member.name())));
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next seq for the sender's message, stores it, hands it to every other member and
     * acknowledges it; a key its sender already used here is acknowledged as a duplicate instead.
     */
    @Override
    public void chat(String connectionId, String message, String key, String requestId, long arrived) {
        long accepted = System.nanoTime();
        lock.lock();
        try {
            Member sender = members.get(connectionId);
            if (sender == null) {
                throw new IllegalStateException(connectionId + " is not in club " + id);
            }
            ClubStore.Stored stored = appendOnce(sender, sender.sender(), sender.name(), message, key, accepted);
            sender.delivery().offer(codec.frame(new ServerMessage.Ack(id, stored.seq(), stored.duplicate()), requestId));
        } finally {
            lock.unlock();
        }
    }

    /**
     * A message from outside the club (the HTTP publish API): the next seq, history, and every member;
     * a key the API already used here gives the seq it got instead.
     *
     * @return where it stands, or empty if the club was retired and the caller must use a fresh one
     */
    Optional<ClubStore.Stored> publish(String from, String message, String key) {
        long accepted = System.nanoTime();
        lock.lock();
        try {
            return retired ? Optional.empty()
                    : Optional.of(appendOnce(null, ClubStore.PUBLISHER, from, message, key, accepted));
        } finally {
            lock.unlock();
        }
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
        long next = append(except, from, message, acceptedNanos);
        if (key != null) {
            keys.remember(sender, key, next, clock.millis());
        }
        return new ClubStore.Stored(next, false);
    }

    /** The messages history holds after {@code since}, oldest first. */
    List<ServerMessage.Chat> messagesAfter(long since) {
        lock.lock();
        try {
            return history.after(since).stream().map(frame -> (ServerMessage.Chat) frame.message()).toList();
        } finally {
            lock.unlock();
        }
    }

    /** Who is in the club and how far its seqs have gone. */
    public ClubView view() {
        lock.lock();
        try {
            return new ClubView(id, List.copyOf(connectionsByName.keySet()), seq, epoch);
        } finally {
            lock.unlock();
        }
    }

    /** Takes the next seq, stores the message and offers it to every member but {@code except}. Under the lock. */
    private long append(Member except, String from, String message, long acceptedNanos) {
        long next = seq + 1;
        Frame chat = codec.frame(new ServerMessage.Chat(id, from, message, next, clock.millis()));
        seq = next;
        history.append(next, chat);
        int deliveries = offerToOthers(except, chat);
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
        if (gone == null) {
            throw new IllegalStateException(connectionId + " is not in club " + id);
        }
        if (connectionsByName.merge(gone.name(), -1, Integer::sum) == 0) {
            connectionsByName.remove(gone.name());
            offerToOthers(gone,
                    codec.frame(new ServerMessage.Presence(id, ServerMessage.Presence.Event.LEAVE, gone.name())));
        }
        if (!members.isEmpty()) {
            return false;
        }
        emptySinceMillis = clock.millis();
        retired = seq == 0;
        return retired;
    }

    /**
     * Every member but {@code except} (null for none): the instance held in {@code members}, so identity
     * is enough. Returns how many were offered the frame.
     */
    private int offerToOthers(Member except, Frame frame) {
        int offered = 0;
        for (Member other : members.values()) {
            if (other != except) {
                other.delivery().offer(frame);
                offered++;
            }
        }
        return offered;
    }
}
