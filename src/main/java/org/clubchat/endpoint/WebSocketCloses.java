package org.clubchat.endpoint;

import jakarta.websocket.CloseReason;
import jakarta.websocket.CloseReason.CloseCodes;
import org.clubchat.delivery.Close;

/** The core's {@link Close} as the WebSocket API's {@link CloseReason}, for every WebSocket adapter. */
public final class WebSocketCloses {
    private WebSocketCloses() {
    }

    public static CloseReason of(Close close) {
        return new CloseReason(CloseCodes.getCloseCode(close.code()), close.reason());
    }
}
