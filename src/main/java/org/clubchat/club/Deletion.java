package org.clubchat.club;

/** What became of a request to delete one message (docs/protocol.md, "Deleting"). */
public enum Deletion {
    /** Its text and sender are gone now; the members are told. */
    DELETED,
    /** It was deleted before: the requester is answered {@code deleted} again, nobody else is told. */
    ALREADY_DELETED,
    /** The club never had that seq, or no longer holds it. */
    NOT_FOUND,
    /** Another sender sent it. */
    FORBIDDEN;

    /** Whether the requester is answered {@code deleted}. */
    public boolean answered() {
        return this == DELETED || this == ALREADY_DELETED;
    }
}
