package org.clubchat.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.clubchat.club.MessageLog.Entry;

/**
 * One club's share of a batch: its messages, in order, and the check that they continue its run where the
 * store has it. Immutable.
 */
record ClubAppend(String clubId, List<Entry> entries) {
    ClubAppend {
        entries = List.copyOf(entries);
    }

    /** The batch's entries by club, each club's in the order appended, clubs in the order first seen. */
    static List<ClubAppend> of(List<Entry> batch) {
        Map<String, List<Entry>> byClub = new LinkedHashMap<>();
        batch.forEach(entry -> byClub.computeIfAbsent(entry.clubId(), club -> new ArrayList<>()).add(entry));
        return byClub.entrySet().stream().map(club -> new ClubAppend(club.getKey(), club.getValue())).toList();
    }

    /**
     * The entries before the first whose key its sender already stored in the club ({@code stored}), or all
     * of them; the entry at {@code entries().size()} of the result, if any, is that one.
     */
    ClubAppend beforeStoredKey(Map<StoredKeys.SentKey, Long> stored) {
        for (int i = 0; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            if (entry.key() != null && stored.containsKey(sentKey(entry))) {
                return new ClubAppend(clubId, entries.subList(0, i));
            }
        }
        return this;
    }

    static StoredKeys.SentKey sentKey(Entry entry) {
        return new StoredKeys.SentKey(entry.clubId(), entry.sender(), entry.key());
    }

    /**
     * Moves the club's last seq from just before the first entry to the last one, in the entries' run, if
     * that is where the store has it (a club's first message also makes its row): true if it moved, and the
     * entries are then to be inserted in the same transaction.
     */
    boolean advance(Connection connection) throws SQLException {
        Entry first = entries.get(0);
        for (int i = 1; i < entries.size(); i++) {
            Entry entry = entries.get(i);
            if (entry.seq() != first.seq() + i || !entry.epoch().equals(first.epoch())) {
                return false;
            }
        }
        if (first.seq() == 1) {
            try (PreparedStatement insert = PostgresLog.statement(connection,
                    "INSERT INTO clubchat_club (club_id, epoch, last_seq) VALUES (?, ?, 0) ON CONFLICT (club_id) DO NOTHING")) {
                insert.setString(1, clubId);
                insert.setString(2, first.epoch());
                insert.executeUpdate();
            }
        }
        try (PreparedStatement update = PostgresLog.statement(connection,
                "UPDATE clubchat_club SET last_seq = ? WHERE club_id = ? AND epoch = ? AND last_seq = ?")) {
            update.setLong(1, entries.get(entries.size() - 1).seq());
            update.setString(2, clubId);
            update.setString(3, first.epoch());
            update.setLong(4, first.seq() - 1);
            return update.executeUpdate() == 1;
        }
    }
}
