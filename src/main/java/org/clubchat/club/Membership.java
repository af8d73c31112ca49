package org.clubchat.club;

import org.clubchat.protocol.ClientMessage;

/** A connection's place in one club, as {@link ClubStore#join} returns it. */
public interface Membership {

    /**
     * Sends the member's message to the others with the club's next seq and acknowledges it to the
     * sender; a {@code key} (null for none) the member's sender already used in the club is acknowledged
     * as a duplicate with its original seq, and nothing is sent.
     *
     * @param arrived when the client's frame arrived, as {@link System#nanoTime}: the protocol's 10 s for
     *                its answer count from there, whatever the message waited for (a hook) before
     */
    void chat(String connectionId, String message, String key, String requestId, long arrived);

    /**
     * Removes the member and answers {@code left}, after every frame of the club it was offered.
     *
     * @param reason null when the member asked; why the server ended the membership otherwise
     *               ({@link org.clubchat.protocol.ServerMessage.Left#FORBIDDEN})
     */
    void leave(String connectionId, String requestId, String reason);

    /**
     * Answers {@code history} (rev 3, docs/protocol.md "Reading back"): the club's stored messages below
     * {@code before}, the newest {@code limit} of them, oldest first, and whether older ones are held;
     * {@code unavailable} when the store cannot be read.
     */
    void history(String connectionId, ClientMessage.History history, String requestId);

    /**
     * Answers {@code delete} (rev 3, docs/protocol.md "Deleting"): deletes one of the member's messages,
     * {@code deleted} to it and to every other member; {@code not_found}, {@code forbidden} or
     * {@code unavailable} otherwise.
     */
    void delete(String connectionId, long seq, String requestId);

    /**
     * Answers {@code members} (rev 3, docs/protocol.md "Large clubs"): the club's names after
     * {@code asked.after()}, at most {@code asked.limit()}, with the club's count and whether more remain.
     */
    void members(String connectionId, ClientMessage.Members asked, String requestId);

    /** Removes the member of a connection that has closed; nobody is answered. */
    void disconnect(String connectionId);
}
