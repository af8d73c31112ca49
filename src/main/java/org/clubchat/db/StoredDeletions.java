package org.clubchat.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.clubchat.club.Deletion;
import org.clubchat.club.Erasure;
import org.clubchat.club.MessageLog;

/**
 * Deleting stored messages (docs/protocol.md, "Deleting"): one at a request, a person's in batches, and
 * the senders and keys deleted messages keep for resends cleared once those can no longer come. A
 * deleted row keeps its club, seq and ts; its name and text are gone (schema: V2__deleting.sql).
 * Stateless: each call runs its statements on the connection it is given.
 */
final class StoredDeletions {
    /**
     * What a deletion leaves of a row: its seq and ts, and its sender and key while a resend may still
     * come (two parameters: the epoch milliseconds before which none can).
     */
    private static final String DELETING = "from_name = NULL, message = NULL, "
            + "sender = CASE WHEN ts < ? THEN '' ELSE sender END, send_key = CASE WHEN ts < ? THEN NULL ELSE send_key END";

    private StoredDeletions() {
    }

    /** Deletes message {@code seq} of the club if {@code sender} sent it (null: whoever did). */
    static Deletion delete(Connection connection, String clubId, long seq, String sender, long resendsUntil) throws SQLException {
        try (PreparedStatement delete = PostgresLog.statement(connection, "UPDATE clubchat_message SET " + DELETING
                + " WHERE club_id = ? AND seq = ? AND message IS NOT NULL AND (sender = ? OR ?) RETURNING 1")) {
            delete.setLong(1, resendsUntil);
            delete.setLong(2, resendsUntil);
            delete.setString(3, clubId);
            delete.setLong(4, seq);
            delete.setString(5, sender == null ? "" : sender);
            delete.setBoolean(6, sender == null);
            try (ResultSet deleted = delete.executeQuery()) {
                if (deleted.next()) {
                    return Deletion.DELETED;
                }
            }
        }
        try (PreparedStatement find = PostgresLog.statement(connection,
                "SELECT message IS NULL FROM clubchat_message WHERE club_id = ? AND seq = ?")) {
            find.setString(1, clubId);
            find.setLong(2, seq);
            try (ResultSet row = find.executeQuery()) {
                if (!row.next()) {
                    return Deletion.NOT_FOUND;
                }
                return row.getBoolean(1) ? Deletion.ALREADY_DELETED : Deletion.FORBIDDEN;
            }
        }
    }

    /**
     * Deletes at most {@code batch} of the messages {@code who} names after {@code after} (null: from the
     * first) in (club, seq) order, in one statement: the ones it deleted, in that order.
     */
    static List<MessageLog.Erased> erase(Connection connection, Erasure who, MessageLog.Erased after, int batch, long resendsUntil)
            throws SQLException {
        String column = who.sub() != null ? "sender" : "from_name";
        try (PreparedStatement erase = PostgresLog.statement(connection, "WITH picked AS (SELECT club_id, seq FROM clubchat_message"
                + " WHERE " + column + " = ? AND message IS NOT NULL AND (club_id COLLATE \"C\", seq) > (?, ?)"
                + " ORDER BY club_id COLLATE \"C\", seq LIMIT ?),"
                + " erased AS (UPDATE clubchat_message m SET " + DELETING + " FROM picked"
                + " WHERE m.club_id = picked.club_id AND m.seq = picked.seq RETURNING m.club_id, m.seq)"
                + " SELECT club_id, seq FROM erased ORDER BY club_id COLLATE \"C\", seq")) {
            erase.setString(1, who.sub() != null ? who.sub() : who.name());
            erase.setString(2, after == null ? "" : after.clubId());
            erase.setLong(3, after == null ? 0 : after.seq());
            erase.setInt(4, batch);
            erase.setLong(5, resendsUntil);
            erase.setLong(6, resendsUntil);
            List<MessageLog.Erased> erased = new ArrayList<>();
            try (ResultSet row = erase.executeQuery()) {
                while (row.next()) {
                    erased.add(new MessageLog.Erased(row.getString(1), row.getLong(2)));
                }
            }
            return erased;
        }
    }

    /** Clears the senders and keys deleted messages accepted before {@code resendsUntil} kept: how many. */
    static int forgetKeys(Connection connection, long resendsUntil) throws SQLException {
        try (PreparedStatement forget = PostgresLog.statement(connection,
                "UPDATE clubchat_message SET sender = '', send_key = NULL WHERE message IS NULL AND sender <> '' AND ts < ?")) {
            forget.setLong(1, resendsUntil);
            return forget.executeUpdate();
        }
    }
}
