package org.clubchat.launcher;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import org.clubchat.endpoint.Admission;
import org.clubchat.endpoint.HandshakeGate;
import org.glassfish.tyrus.spi.UpgradeRequest;
import org.glassfish.tyrus.spi.UpgradeResponse;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * Tyrus's engine with the {@link HandshakeGate} in front, so the launcher refuses a handshake with its
 * HTTP status as the WAR's servlet filter does.
 */
final class GatedEngine implements WebSocketEngine {
    private static final UpgradeInfo REFUSED = new UpgradeInfo() {
        @Override
        public UpgradeStatus getStatus() {
            return UpgradeStatus.HANDSHAKE_FAILED;
        }

        @Override
        public org.glassfish.tyrus.spi.Connection createConnection(
                org.glassfish.tyrus.spi.Writer writer, org.glassfish.tyrus.spi.Connection.CloseListener listener) {
            return null;
        }
    };

    private final WebSocketEngine tyrus;
    private final HandshakeGate gate;

    GatedEngine(WebSocketEngine tyrus, HandshakeGate gate) {
        this.tyrus = tyrus;
        this.gate = gate;
    }

    @Override
    public UpgradeInfo upgrade(UpgradeRequest request, UpgradeResponse response) {
        if (gate.admit(request.getParameterMap()) instanceof Admission.Refused refused) {
            response.setStatus(refused.httpStatus());
            response.setReasonPhrase(refused.reason());
            // No body follows; without a length a client would wait for one until the connection closes.
            response.getHeaders().put("Content-Length", List.of("0"));
            return REFUSED;
        }
        return tyrus.upgrade(request, response);
    }

    @Override
    public void register(Class<?> endpointClass, String contextPath) throws DeploymentException {
        tyrus.register(endpointClass, contextPath);
    }

    @Override
    public void register(ServerEndpointConfig config, String contextPath) throws DeploymentException {
        tyrus.register(config, contextPath);
    }
}
