package org.clubchat.db;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The exactly-once keys a batch's messages carry, looked up among those stored: one query for the whole batch. */
final class StoredKeys {
    /** A sender's key in a club. */
    record SentKey(String clubId, String sender, String key) {
    }

    private StoredKeys() {
    }

    /** The seq of each of {@code keys} that a stored message has. */
    static Map<SentKey, Long> find(Connection connection, List<SentKey> keys) throws SQLException {
        Map<SentKey, Long> stored = new HashMap<>();
        if (keys.isEmpty()) {
            return stored;
        }
        try (PreparedStatement query = PostgresLog.statement(connection,
                "SELECT m.club_id, m.sender, m.send_key, m.seq FROM clubchat_message m "
                        + "JOIN unnest(?::text[], ?::text[], ?::text[]) AS sent (club_id, sender, send_key) "
                        + "ON m.club_id = sent.club_id AND m.sender = sent.sender AND m.send_key = sent.send_key")) {
            query.setArray(1, texts(connection, keys, SentKey::clubId));
            query.setArray(2, texts(connection, keys, SentKey::sender));
            query.setArray(3, texts(connection, keys, SentKey::key));
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    stored.put(new SentKey(row.getString(1), row.getString(2), row.getString(3)), row.getLong(4));
                }
            }
        }
        return stored;
    }

    private static Array texts(Connection connection, List<SentKey> keys, Function<SentKey, String> field)
            throws SQLException {
        return connection.createArrayOf("text", keys.stream().map(field).toArray(String[]::new));
    }
}
