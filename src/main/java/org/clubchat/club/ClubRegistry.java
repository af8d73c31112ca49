package org.clubchat.club;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;

/**
 * Every club this server holds, by id, up to a limit: a join or publish that would create a club past it
 * is refused ({@link ClubStore.Full}), so that no client can make the server hold clubs without end.
 *
 * <p>{@code clubs} is a {@link ConcurrentHashMap}: clubs are created with {@code computeIfAbsent}, so two
 * joiners of a new club meet in one {@link Club}. Removal is two-step: a club first retires itself under
 * its own lock (only when empty past the retention time), then {@code remove(id, club)} drops exactly that
 * instance. A join that meets a retired club retries and gets a fresh club with a new epoch, so no member
 * is ever added to a club that is no longer in the map.
 */
public final class ClubRegistry implements ClubStore {
    private final ConcurrentHashMap<String, Club> clubs = new ConcurrentHashMap<>();
    private final int maxClubs;
    private final int historySize;
    private final long retentionMillis;
    private final ProtocolCodec codec;
    private final InstantSource clock;
    private final Metrics metrics;
    /** Where clubs' messages last, or null for memory only. */
    private final MessageLog log;
    private final int replayMax;
    private final PresenceLimit presenceLimit;
    /** Set once at start, before any request can broadcast. */
    private volatile Consumer<String> broadcasts = message -> { };

    /** A registry without a limit of clubs, as tests use it. */
    public ClubRegistry(int historySize, Duration retention, ProtocolCodec codec, InstantSource clock, Metrics metrics) {
        this(Integer.MAX_VALUE, historySize, retention, codec, clock, metrics);
    }

    /** @param maxClubs the most clubs it holds; a new club past it is refused */
    public ClubRegistry(int maxClubs, int historySize, Duration retention, ProtocolCodec codec, InstantSource clock,
            Metrics metrics) {
        this(maxClubs, historySize, retention, codec, clock, metrics, null, Integer.MAX_VALUE, PresenceLimit.NONE);
    }

    /**
     * Clubs whose messages last in {@code log} (null for memory only): memory is a cache of each club's
     * newest {@code historySize} messages, and a club it forgets is read back from the log when used again,
     * in the same run.
     *
     * @param replayMax     the most messages one join replays
     * @param presenceLimit above how many names a club is large (docs/protocol.md, "Large clubs")
     */
    public ClubRegistry(int maxClubs, int historySize, Duration retention, ProtocolCodec codec, InstantSource clock,
            Metrics metrics, MessageLog log, int replayMax, PresenceLimit presenceLimit) {
        this.log = log;
        this.presenceLimit = presenceLimit;
        this.replayMax = replayMax;
        this.maxClubs = maxClubs;
        this.historySize = historySize;
        this.retentionMillis = retention.toMillis();
        this.codec = codec;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * Joins the club, creating it if needed; see {@link Club#join}.
     *
     * @throws Full when the club is new and the registry holds its limit
     */
    @Override
    public Club join(String clubId, Member member, OptionalLong since, String lastEpoch, String requestId) {
        while (true) {
            Club club = clubOrNew(clubId);
            if (club.join(member, since, lastEpoch, requestId)) {
                return club;
            }
            clubs.remove(clubId, club);
        }
    }

    /**
     * Posts a message from outside into the club, creating the club if needed (the message then waits
     * in its history for the members to come); see {@link Club#publish}.
     *
     * @return its seq (a key's earlier one for a resend), already complete: memory does not wait
     */
    @Override
    public CompletionStage<Stored> publish(String clubId, String from, String message, String key) {
        while (true) {
            Club club;
            try {
                club = clubOrNew(clubId);
            } catch (Full | Unavailable refused) {
                return CompletableFuture.failedFuture(refused);
            }
            CompletableFuture<Stored> stored = club.publish(from, message, key);
            if (stored != null) {
                return stored;
            }
            clubs.remove(clubId, club);
        }
    }

    /** The club as it is now, if this server holds it. */
    @Override
    public Optional<ClubView> view(String clubId) {
        return Optional.ofNullable(clubs.get(clubId)).map(Club::view);
    }

    @Override
    public List<ClubView> clubs() {
        return clubs.values().stream().map(Club::view).sorted(Comparator.comparing(ClubView::clubId)).toList();
    }

    @Override
    public List<ServerMessage.Numbered> messagesAfter(String clubId, long since) {
        return Optional.ofNullable(clubs.get(clubId)).map(club -> club.messagesAfter(since)).orElse(List.of());
    }

    /** From the club when it is held, else from the log (a club forgotten or never opened since a start). */
    @Override
    public ServerMessage.History readBack(ClientMessage.History asked) {
        Club club = clubs.get(asked.clubId());
        if (club != null) {
            return club.readBack(asked);
        }
        if (log == null) {
            return new ServerMessage.History(asked.clubId(), List.of(), false);
        }
        MessageLog.Run run = log.open(asked.clubId(), newEpoch(), 0, Long.MAX_VALUE);
        long top = asked.top(run.lastSeq());
        long from = asked.from(top);
        return ServerMessage.History.readBack(asked.clubId(), from, top < from ? List.of()
                : log.read(asked.clubId(), Math.max(1, from - 1), top).stream().map(MessageLog.Entry::seen).toList());
    }

    /** Through the club when it is held, else in the log alone (nobody to tell). */
    @Override
    public Deletion delete(String clubId, long seq) {
        Club club = clubs.get(clubId);
        if (club != null) {
            return club.delete(seq, null, null);
        }
        return log == null ? Deletion.NOT_FOUND : log.delete(clubId, seq, null);
    }

    /** Club by club in memory; with a log, the log's batches ({@link MessageLog#eraseAll}), each followed by the clubs held here. */
    @Override
    public long erase(Erasure who) {
        if (log == null) {
            return clubs.values().stream().mapToLong(club -> club.erase(who)).sum();
        }
        return log.eraseAll(who, step -> step.forEach(gone -> {
            Club club = clubs.get(gone.clubId());
            if (club != null) {
                club.erasedInLog(gone.seq());
            }
        }));
    }

    /** One server: the broadcast is this node's alone. */
    @Override
    public void broadcast(String message) {
        broadcasts.accept(message);
    }

    @Override
    public void onBroadcast(Consumer<String> listener) {
        broadcasts = listener;
    }

    /** Drops the clubs that have been empty for the retention time. */
    @Override
    public void sweep() {
        long now = clock.millis();
        clubs.forEach((id, club) -> {
            if (club.retireIfIdle(now, retentionMillis)) {
                clubs.remove(id, club);
            }
        });
    }

    /** Half the retention: an empty club is forgotten at most one interval late. */
    @Override
    public Duration sweepInterval() {
        return Duration.ofMillis(retentionMillis / 2);
    }

    @Override
    public int size() {
        return clubs.size();
    }

    /**
     * The club, or a new one if there is room; {@code size()} is exact enough for a limit this large. With
     * a log, a new one starts where the log has the club: read first, outside the map's lock (two threads
     * may both read; the map keeps one club).
     *
     * @throws Unavailable when the log cannot be read now
     */
    private Club clubOrNew(String clubId) {
        Club club = clubs.get(clubId);
        if (club != null) {
            return club;
        }
        if (clubs.size() >= maxClubs) {
            throw new Full(maxClubs);
        }
        MessageLog.Run run = log == null ? null
                : log.open(clubId, newEpoch(), historySize, clock.millis() - SentKeys.KEEP.toMillis());
        return clubs.computeIfAbsent(clubId, id -> new Club(id, newEpoch(), historySize, codec, clock, metrics,
                retired -> clubs.remove(id, retired), log, run, replayMax, presenceLimit));
    }

    /** The log, when there is one. */
    @Override
    public Map<String, Boolean> backends() {
        return log == null ? Map.of() : Map.of("db", log.problem().isEmpty());
    }

    /** Closes the log, which commits what it was given first. */
    @Override
    public void close() {
        if (log != null) {
            log.close();
        }
    }

    /** Random, so a restarted server or a forgotten-and-recreated club never repeats an epoch. */
    private static String newEpoch() {
        return Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
    }
}
