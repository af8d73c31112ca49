package org.clubchat.delivery;

/**
 * Which close code the server uses for what (docs/protocol.md, "Close codes"), decided here and nowhere
 * else. The numbers are RFC 6455's; their names there are in each comment.
 */
public final class Closes {
    /** 1001 Going Away. */
    public static final Close SHUTDOWN = new Close(1001, "server shutting down");
    /** 1003 Unsupported Data. */
    public static final Close BINARY_FRAME = new Close(1003, "binary frames are not accepted");
    /** 1009 Message Too Big. */
    public static final Close TOO_BIG = new Close(1009, "message larger than the limit");
    /** 1002 Protocol Error: a frame no client may send (a 64-bit length with its top bit set). */
    public static final Close PROTOCOL_ERROR = new Close(1002, "malformed frame");
    /** 1008 Policy Violation. */
    public static final Close HANDSHAKE_REFUSED = new Close(1008, "connection refused");
    /** 1011 Internal Error. */
    public static final Close SERVER_ERROR = new Close(1011, "unexpected server error");
    /** 1008 Policy Violation. */
    public static final Close FLOODING = new Close(1008, "kept sending after rate_limited");
    /**
     * 1008 Policy Violation: the client sent more than the server holds for it while a hook of the
     * application was out (see {@code service.InboundQueue}).
     */
    public static final Close INBOUND_OVERFLOW = new Close(1008, "too many messages waiting for an answer");
    /** 1008 Policy Violation. */
    public static final Close TOKEN_EXPIRED = new Close(1008, "token expired");
    /** 1011 Internal Error: a send failed, so nothing after it can reach the client in order. */
    public static final Close SEND_FAILED = new Close(1011, "send failed");
    /**
     * 1011 Internal Error: the node cannot hand the member a club's messages in order (they left the
     * broker's history before it could read them); the client re-joins with {@code since} and learns
     * what was lost (docs/protocol.md, "What was lost").
     */
    public static final Close MISSED_MESSAGES = new Close(1011, "messages were missed; join again with since");
    /**
     * 1011 Internal Error: the broker did not say within the protocol's 10 seconds whether a chat was
     * stored; the client re-joins with {@code since} and sees it there if it was.
     */
    public static final Close UNCONFIRMED = new Close(1011, "could not confirm a message; join again with since");
    /** 1008 Policy Violation: an operator disconnected the user (the operations API). */
    public static final Close DISCONNECTED = new Close(1008, "disconnected by an operator");
    /** 1013 Try Again Later. */
    public static final Close OUTBOX_OVERFLOW = new Close(1013, "too slow: outgoing queue overflowed");
    /** 1013 Try Again Later: a send to the client did not complete in {@code StalledSends.LIMIT}. */
    public static final Close SEND_STALLED = new Close(1013, "too slow: a send did not complete in 10 s");
    /** 1013 Try Again Later: the server sheds the largest backlogs when all outboxes pass their budget. */
    public static final Close SHED = new Close(1013, "server overloaded: outgoing queue shed");
    /**
     * 1013 Try Again Later: the application's connect hook could not be asked (failed, timed out) and
     * its failure policy refuses; not a refusal of this user.
     */
    public static final Close APPLICATION_UNAVAILABLE = new Close(1013, "the application could not be asked just now; try again");
    /** 1013 Try Again Later. */
    public static final Close SERVER_FULL = new Close(1013, "server full");
    /** 1000 Normal Closure; not in the protocol's table: a peer silent this long is most likely gone and will not read it. */
    public static final Close IDLE = new Close(1000, "idle timeout");

    private Closes() {
    }

    /** 1008 Policy Violation: the application's connect hook refused the connection; its message is the reason. */
    public static Close refusedByApplication(String message) {
        return Close.withReasonCut(1008, message);
    }
}
