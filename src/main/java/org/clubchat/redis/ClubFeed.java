package org.clubchat.redis;

import io.lettuce.core.StreamMessage;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.clubchat.club.MessageLog;

/**
 * One club's messages, handed to this node's members gaplessly and in seq order. They come from the
 * club's channel; a gap in the channel (a publication missed while the subscription was down) is read
 * from the club's stream, one read at a time, and what arrived meanwhile waits in {@code ahead}. When the
 * stream no longer holds what is missing, or Redis lost the club, the feed says so and the club closes
 * its members so that they re-join ("What was lost"). Used only on the store's events thread.
 *
 * <p>With the history store, the store is the truth and Redis a cache in front of it: what the stream
 * does not hold is read from the store, a Redis that lost the club is given its run and seq back, and
 * only a message with another run (the store's history of the club is gone) or one the store no longer
 * holds ends the members' feed.
 */
final class ClubFeed {
    /** Channel messages kept while a gap before them is read from the stream; more means the node cannot keep up. */
    private static final int AHEAD_AT_MOST = 10_000;

    /** What the feed hands on to, and tells when it cannot go on. */
    interface Club {
        /** Hands one stored message (its stream entry's fields) to the local members. */
        void deliver(long seq, Map<String, String> entry);

        /** Messages are gone before they could be handed over in order. */
        void missed();

        /** Redis no longer holds this run of the club (restarted without persistence). */
        void runLost();
    }

    private final RedisClubStore store;
    private final ClubScripts scripts;
    private final ClubKeys keys;
    private final Club club;
    /** Channel messages past a gap, by seq, until the gap is read from the stream. */
    private final TreeMap<Long, Map<String, String>> ahead = new TreeMap<>();
    private String epoch;
    /** The highest seq handed out; -1 before a join has read the club. */
    private long delivered = -1;
    /** {@code delivered} at the previous check: a club whose channel stalled catches up from the stream. */
    private long deliveredAtLastCheck = -1;
    /**
     * {@code delivered} when the last check was about to read the club's run: Redis, which gave every seq
     * handed out before it answers, holds at least this much of the run unless it lost some.
     */
    private long deliveredWhenChecking = -1;
    /** Whether a read of the stream is out. */
    private boolean reading;
    /** The seq the stream is to be read up to once the read that is out comes back. */
    private long readUpTo;
    /** The history store, or null without one. */
    private final MessageLog log;

    ClubFeed(RedisClubStore store, ClubScripts scripts, ClubKeys keys, Club club) {
        this.store = store;
        this.scripts = scripts;
        this.keys = keys;
        this.club = club;
        this.log = store.log();
    }

    /** The run being handed out, or null before a join has read the club. */
    String epoch() {
        return epoch;
    }

    /** The highest seq handed out, or -1 before a join has read the club. */
    long delivered() {
        return delivered;
    }

    /** A join read the club: the first one starts the feed where Redis stands. */
    void joined(String clubEpoch, long seq) {
        if (delivered < 0) {
            epoch = clubEpoch;
            delivered = seq;
            deliveredAtLastCheck = seq;
        }
    }

    /** Starts afresh: the next join reads the club again. */
    void reset() {
        ahead.clear();
        epoch = null;
        delivered = -1;
        deliveredAtLastCheck = -1;
        deliveredWhenChecking = -1;
        readUpTo = 0;
    }

    /** A message published on the club's channel. */
    void published(String messageEpoch, long seq, Map<String, String> entry) {
        if (log != null && delivered >= 0 && !messageEpoch.equals(epoch)) {
            club.runLost();
            return;
        }
        if (delivered < 0 || !messageEpoch.equals(epoch)) {
            check();
            return;
        }
        if (seq <= delivered) {
            return;
        }
        ahead.put(seq, entry);
        handAhead();
        if (ahead.size() > AHEAD_AT_MOST) {
            club.missed();
        } else if (!ahead.isEmpty()) {
            catchUp(ahead.firstKey() - 1);
        }
    }

    /** A check of this club alone (a message of another run came): see {@link #checked}. */
    void check() {
        String checkedEpoch = checking();
        if (checkedEpoch != null) {
            store.then(scripts.runs(List.of(keys)), (runs, failure) -> {
                if (failure != null) {
                    store.lost(failure);
                } else {
                    checked(checkedEpoch, runs.get(0));
                }
            });
        }
    }

    /** The run a check is about to read the club's run for, or null when the feed has not started (nothing to check). */
    String checking() {
        deliveredWhenChecking = delivered;
        return delivered < 0 ? null : epoch;
    }

    /**
     * What a check read of the club's run in Redis ({@link #checking} said for which of its runs): notices a
     * lost run, or, without the store, the lost end of one (which then begins afresh), and a channel that
     * stalled behind the stream. Every second, from the store's sweep, which
     * reads many clubs' runs at once.
     */
    void checked(String checkedEpoch, ClubScripts.Run run) {
        if (delivered < 0 || !checkedEpoch.equals(epoch)) {
            return;
        }
        if (log != null && run.epoch() != null && !run.epoch().equals(epoch)) {
            // The store decides the run: a message of the other run, if it is the store's, ends this feed.
            return;
        }
        if (log != null && (run.epoch() == null || run.seq() < delivered)) {
            // Redis restarted empty, or a relay did not reach it: it gets back what the store has given.
            store.then(scripts.restore(keys, epoch, delivered), (done, restoreFailure) -> {
                if (restoreFailure != null) {
                    store.lost(restoreFailure);
                }
            });
        } else if (run.epoch() == null || !run.epoch().equals(epoch)) {
            club.runLost();
            return;
        } else if (run.seq() < deliveredWhenChecking) {
            // Redis lost the end of the run (a failover), and would give its seqs to other messages.
            store.then(scripts.restartRun(keys, epoch, deliveredWhenChecking), (began, failure) -> {
                if (failure != null) {
                    store.lost(failure);
                } else if (began && checkedEpoch.equals(epoch)) {
                    club.runLost();
                }
            });
            return;
        }
        if (delivered == deliveredAtLastCheck && run.seq() > delivered) {
            catchUp(run.seq());
        }
        deliveredAtLastCheck = delivered;
    }

    /**
     * Reads the stream after {@code delivered} up to {@code seq}, a seq known to be stored, and hands it
     * out; with the history store, what the stream does not hold, or all of it while Redis cannot answer,
     * is read from the store.
     */
    void catchUp(long seq) {
        readUpTo = Math.max(readUpTo, seq);
        if (reading || delivered < 0 || readUpTo <= delivered) {
            return;
        }
        reading = true;
        long to = readUpTo;
        String readEpoch = epoch;
        store.then(scripts.log(keys, delivered + 1, to), (entries, failure) -> {
            reading = false;
            if (delivered < 0 || !readEpoch.equals(epoch)) {
                return;
            }
            if (failure != null) {
                store.lost(failure);
                if (log != null) {
                    // Redis is away or failing over: the store holds what this node's own chats are waiting behind.
                    readStore(readEpoch, to);
                }
                return;
            }
            for (StreamMessage<String, String> entry : entries) {
                ahead.putIfAbsent(ClubScripts.seqOf(entry), entry.getBody());
            }
            handAhead();
            if (delivered < to && log != null) {
                readStore(readEpoch, to);
            } else if (delivered < to) {
                // The stream no longer holds what comes next: members would skip it without knowing.
                club.missed();
            } else {
                catchUp(readUpTo);
            }
        });
    }

    /** Reads from the history store what the stream does not hold, up to {@code to}, and hands it out. */
    private void readStore(String readEpoch, long to) {
        reading = true;
        long from = delivered + 1;
        store.readStore(() -> log.read(keys.clubId(), from, to), (entries, failure) -> {
            reading = false;
            if (delivered < 0 || !readEpoch.equals(epoch)) {
                return;
            }
            if (failure != null) {
                // The club's check tries again; an ack waiting behind the gap is settled in time by its chats.
                return;
            }
            for (MessageLog.Entry entry : entries) {
                if (!entry.epoch().equals(epoch)) {
                    club.runLost();
                    return;
                }
                ahead.putIfAbsent(entry.seq(), entryOf(entry));
            }
            handAhead();
            if (delivered < to) {
                // Not even the store holds it now (retention): members would skip it without knowing.
                club.missed();
            } else {
                catchUp(readUpTo);
            }
        });
    }

    /**
     * A stored message as the stream holds one, without the node, connection and attempt the store does
     * not keep; with its sender, by which a chat of this node not yet heard of is known.
     */
    static Map<String, String> entryOf(MessageLog.Entry entry) {
        if (entry.isDeleted()) {
            return ClubScripts.TOMBSTONE;
        }
        return Map.of("ts", String.valueOf(entry.ts()), "from", entry.from(), "message", entry.message(), "node", "",
                "conn", "", "req", "", "att", "", "sender", entry.sender());
    }

    /** A message deleted before it was handed out: its tombstone takes its place behind the gap. */
    void deleted(long seq) {
        ahead.computeIfPresent(seq, (held, entry) -> ClubScripts.TOMBSTONE);
    }

    /** Hands out the messages that continue the club's seqs without a gap. */
    private void handAhead() {
        while (!ahead.isEmpty() && ahead.firstKey() <= delivered + 1) {
            Map.Entry<Long, Map<String, String>> next = ahead.pollFirstEntry();
            if (next.getKey() == delivered + 1) {
                club.deliver(next.getKey(), next.getValue());
                delivered = next.getKey();
            }
        }
    }
}
