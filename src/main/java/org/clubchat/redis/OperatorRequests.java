package org.clubchat.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.StreamMessage;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.clubchat.club.ClubStore;
import org.clubchat.club.ClubView;
import org.clubchat.club.Deletion;
import org.clubchat.club.Erasure;
import org.clubchat.club.MessageLog;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ServerMessage;

/**
 * What operators ask of the clubs in Redis mode ({@link RedisClubStore}'s side of the operations API):
 * each call waits on the operator's request thread for Redis (and the history store), never on the
 * events thread. Holds no state of its own.
 */
final class OperatorRequests {
    private static final System.Logger LOG = System.getLogger(OperatorRequests.class.getName());

    private final ClubScripts scripts;
    /** The history store, or null without one. */
    private final MessageLog log;
    private final Availability availability;

    OperatorRequests(ClubScripts scripts, MessageLog log, Availability availability) {
        this.scripts = scripts;
        this.log = log;
        this.availability = availability;
    }

    Optional<ClubView> view(String clubId) {
        ClubKeys keys = ClubKeys.of(clubId);
        ClubScripts.Run run = await(scripts.run(keys));
        if (run.epoch() == null) {
            return Optional.empty();
        }
        return Optional.of(new ClubView(clubId, await(scripts.names(keys)), run.seq(), run.epoch()));
    }

    /** Every club Redis holds, whichever node its members are on: a scan, for operators, not for a hot path. */
    List<ClubView> clubs() {
        List<ClubView> found = new ArrayList<>();
        for (String clubId : clubIds()) {
            view(clubId).ifPresent(found::add);
        }
        found.sort(Comparator.comparing(ClubView::clubId));
        return found;
    }

    List<ServerMessage.Numbered> messagesAfter(String clubId, long since) {
        return await(scripts.log(ClubKeys.of(clubId), since + 1, Long.MAX_VALUE)).stream()
                .map(entry -> ClubScripts.seenOf(clubId, entry)).toList();
    }

    /** From the history store when there is one, else from the club's stream. */
    ServerMessage.History readBack(ClientMessage.History asked) {
        String clubId = asked.clubId();
        long last = log != null ? log.open(clubId, ClubScripts.newId(), 0, Long.MAX_VALUE).lastSeq()
                : await(scripts.run(ClubKeys.of(clubId))).seq();
        long top = asked.top(last);
        long from = asked.from(top);
        if (top < from) {
            return new ServerMessage.History(clubId, List.of(), false);
        }
        List<ServerMessage.Numbered> read = log != null
                ? log.read(clubId, Math.max(1, from - 1), top).stream().map(MessageLog.Entry::seen).toList()
                : await(scripts.log(ClubKeys.of(clubId), Math.max(1, from - 1), top)).stream()
                        .map(entry -> ClubScripts.seenOf(clubId, entry)).toList();
        return ServerMessage.History.readBack(clubId, from, read);
    }

    /** The history store decides when there is one, and Redis follows; without, Redis decides. */
    Deletion delete(String clubId, long seq) {
        ClubKeys keys = ClubKeys.of(clubId);
        if (log == null) {
            return await(scripts.delete(keys, seq, null, "", false));
        }
        Deletion outcome = log.delete(clubId, seq, null);
        if (outcome == Deletion.DELETED) {
            await(scripts.delete(keys, seq, null, "", true));
        }
        return outcome;
    }

    /**
     * With the history store, its batches ({@link MessageLog#eraseAll}), each followed in Redis (a Redis that does not follow leaves
     * the text in its cache of the club's newest messages until they are pushed out, and says so in
     * the log). Without, Redis holds each club's newest messages only: every club's are read and the
     * person's deleted one by one.
     */
    long erase(Erasure who) {
        if (log != null) {
            return log.eraseAll(who, step -> {
                List<CompletableFuture<Deletion>> followed = step.stream()
                        .map(gone -> scripts.delete(ClubKeys.of(gone.clubId()), gone.seq(), null, "", true)).toList();
                try {
                    CompletableFuture.allOf(followed.toArray(CompletableFuture[]::new)).join();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "an erasure's deletions did not all reach Redis: its members may not have been told, "
                            + "and its cache may hold the text until newer messages push it out: {0}", e.getMessage());
                }
            });
        }
        long erased = 0;
        for (String clubId : clubIds()) {
            ClubKeys keys = ClubKeys.of(clubId);
            for (StreamMessage<String, String> entry : await(scripts.log(keys, 1, Long.MAX_VALUE))) {
                if (!ClubScripts.isTombstone(entry.getBody()) && who.matches(entry.getBody().get("sender"), entry.getBody().get("from"))
                        && await(scripts.delete(keys, ClubScripts.seqOf(entry), null, "", false)) == Deletion.DELETED) {
                    erased++;
                }
            }
        }
        return erased;
    }

    /** Published to every node (each subscribes to the broadcast channel), this one included. */
    void broadcast(String message) {
        await(scripts.broadcast(message));
    }

    private List<String> clubIds() {
        List<String> ids = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = await(scripts.clubIds(cursor));
            page.getKeys().forEach(key -> ids.add(ClubKeys.clubOfEpochKey(key)));
            cursor = page;
        } while (!cursor.isFinished());
        return ids;
    }

    /** Waits for Redis's answer; Unavailable when it does not come. */
    private <T> T await(CompletableFuture<T> command) {
        try {
            return ClubScripts.await(command);
        } catch (RedisException e) {
            availability.lost(e);
            throw new ClubStore.Unavailable(e);
        }
    }
}
