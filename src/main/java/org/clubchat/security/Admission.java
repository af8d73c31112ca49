package org.clubchat.security;


/** Whether a WebSocket handshake may go ahead, and as whom. */
public sealed interface Admission permits Admission.Admitted, Admission.Refused {

    /** @param identity who the connection is; null from {@link HandshakeGate#admitOrigin}, which checks the origin only */
    record Admitted(Identity identity) implements Admission {
    }

    /** @param httpStatus the handshake's answer: 400 bad name, 401 bad token, 403 origin not allowed */
    record Refused(int httpStatus, String reason) implements Admission {
    }
}
