package org.clubchat.endpoint;

/** Whether a WebSocket handshake may go ahead, and as whom. */
public sealed interface Admission permits Admission.Admitted, Admission.Refused {

    record Admitted(String name) implements Admission {
    }

    /** @param httpStatus the handshake's answer, e.g. 400 for an invalid {@code ?name=} */
    record Refused(int httpStatus, String reason) implements Admission {
    }
}
