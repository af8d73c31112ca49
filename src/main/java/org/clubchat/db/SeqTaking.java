package org.clubchat.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.clubchat.club.MessageLog.Draft;
import org.clubchat.club.MessageLog.Entry;
import org.clubchat.club.MessageLog.Taken;
import org.clubchat.db.StoredKeys.SentKey;

/**
 * One batch's drafts given their seqs, inside the writer's transaction, for nodes that share clubs: each
 * club's row is locked and moved on by its number of drafts in one statement for the whole batch (in
 * club order, so that two nodes' transactions never wait for each other in a circle), then the keys
 * already stored are looked up under that lock, so that no other node can store one meanwhile. A
 * duplicate takes no seq: its club's last seq is set back by as many. Three round trips at most,
 * whatever the number of clubs. Not thread-safe; one per batch.
 */
final class SeqTaking {
    private final List<Draft> drafts;
    /** The batch's drafts by club, clubs in order, each club's in the order taken. */
    private final TreeMap<String, List<Draft>> byClub = new TreeMap<>();

    SeqTaking(List<Draft> drafts) {
        this.drafts = List.copyOf(drafts);
        drafts.forEach(draft -> byClub.computeIfAbsent(draft.clubId(), club -> new ArrayList<>()).add(draft));
    }

    /**
     * Takes the seqs and adds the messages to insert to {@code inserts}: returns each draft's answer, in
     * the order of the drafts.
     */
    List<Taken> take(Connection connection, List<Entry> inserts) throws SQLException {
        if (drafts.isEmpty()) {
            return List.of();
        }
        Map<String, Run> runs = lockAndMoveOn(connection);
        Map<SentKey, Long> stored = storedKeys(connection);
        // By identity: two drafts alike in every field are still two messages.
        Map<Draft, Taken> taken = new IdentityHashMap<>();
        Map<String, Long> setBack = new TreeMap<>();
        for (Map.Entry<String, List<Draft>> club : byClub.entrySet()) {
            Run run = runs.get(club.getKey());
            long seq = run.lastSeq() - club.getValue().size();
            for (Draft draft : club.getValue()) {
                SentKey sentKey = draft.key() == null ? null : new SentKey(draft.clubId(), draft.sender(), draft.key());
                Long before = sentKey == null ? null : stored.get(sentKey);
                if (before != null) {
                    taken.put(draft, new Taken(run.epoch(), before, true));
                    continue;
                }
                seq++;
                if (sentKey != null) {
                    stored.put(sentKey, seq);
                }
                inserts.add(new Entry(draft.clubId(), run.epoch(), seq, draft.ts(), draft.sender(), draft.from(), draft.message(),
                        draft.key()));
                taken.put(draft, new Taken(run.epoch(), seq, false));
            }
            if (seq < run.lastSeq()) {
                setBack.put(club.getKey(), seq);
            }
        }
        setBack(connection, setBack);
        return drafts.stream().map(taken::get).toList();
    }

    private record Run(String epoch, long lastSeq) {
    }

    /** Makes each club's row if it is new and moves its last seq on by its drafts, locking it: their run and new last seq. */
    private Map<String, Run> lockAndMoveOn(Connection connection) throws SQLException {
        String[] clubs = byClub.keySet().toArray(String[]::new);
        String[] epochs = byClub.values().stream().map(club -> club.get(0).epochCandidate()).toArray(String[]::new);
        Long[] counts = byClub.values().stream().map(club -> (long) club.size()).toArray(Long[]::new);
        Map<String, Run> runs = new HashMap<>();
        try (PreparedStatement upsert = PostgresLog.statement(connection,
                "INSERT INTO clubchat_club (club_id, epoch, last_seq) "
                        + "SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[]) AS taking (club_id, epoch, n) ORDER BY club_id "
                        + "ON CONFLICT (club_id) DO UPDATE SET last_seq = clubchat_club.last_seq + EXCLUDED.last_seq "
                        + "RETURNING club_id, epoch, last_seq")) {
            upsert.setArray(1, connection.createArrayOf("text", clubs));
            upsert.setArray(2, connection.createArrayOf("text", epochs));
            upsert.setArray(3, connection.createArrayOf("bigint", counts));
            try (ResultSet row = upsert.executeQuery()) {
                while (row.next()) {
                    runs.put(row.getString(1), new Run(row.getString(2), row.getLong(3)));
                }
            }
        }
        return runs;
    }

    /** The seqs of the drafts' keys already stored by their senders in their clubs. */
    private Map<SentKey, Long> storedKeys(Connection connection) throws SQLException {
        return StoredKeys.find(connection, drafts.stream().filter(draft -> draft.key() != null)
                .map(draft -> new SentKey(draft.clubId(), draft.sender(), draft.key())).toList());
    }

    /** Clubs whose duplicates took no seq: their last seq is set back to the last one given. */
    private static void setBack(Connection connection, Map<String, Long> lastSeqs) throws SQLException {
        if (lastSeqs.isEmpty()) {
            return;
        }
        try (PreparedStatement update = PostgresLog.statement(connection, "UPDATE clubchat_club SET last_seq = ? WHERE club_id = ?")) {
            for (Map.Entry<String, Long> club : lastSeqs.entrySet()) {
                update.setLong(1, club.getValue());
                update.setString(2, club.getKey());
                update.addBatch();
            }
            update.executeBatch();
        }
    }
}
