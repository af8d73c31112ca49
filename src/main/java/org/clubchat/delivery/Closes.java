package org.clubchat.delivery;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;

/**
 * Which close code the server uses for what (PROTOCOL.md, "Close codes"), decided here and nowhere else.
 */
public final class Closes {
    public static final CloseReason SHUTDOWN = new CloseReason(CloseCodes.GOING_AWAY, "server shutting down");
    public static final CloseReason BINARY_FRAME = new CloseReason(CloseCodes.CANNOT_ACCEPT, "binary frames are not accepted");
    public static final CloseReason TOO_BIG = new CloseReason(CloseCodes.TOO_BIG, "message larger than the limit");
    public static final CloseReason HANDSHAKE_REFUSED = new CloseReason(CloseCodes.VIOLATED_POLICY, "connection refused");
    public static final CloseReason SERVER_ERROR = new CloseReason(CloseCodes.UNEXPECTED_CONDITION, "unexpected server error");
    public static final CloseReason FLOODING = new CloseReason(CloseCodes.VIOLATED_POLICY, "kept sending after rate_limited");
    public static final CloseReason TOKEN_EXPIRED = new CloseReason(CloseCodes.VIOLATED_POLICY, "token expired");
    public static final CloseReason OUTBOX_OVERFLOW = new CloseReason(CloseCodes.TRY_AGAIN_LATER, "too slow: outgoing queue overflowed");
    public static final CloseReason SERVER_FULL = new CloseReason(CloseCodes.TRY_AGAIN_LATER, "server full");
    /** Not in the protocol's table: a peer silent this long is most likely gone and will not read it. */
    public static final CloseReason IDLE = new CloseReason(CloseCodes.NORMAL_CLOSURE, "idle timeout");

    private Closes() {
    }
}
