package org.clubchat.endpoint;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.clubchat.security.Admission;
import org.clubchat.security.HandshakeGate;

/**
 * In a servlet container, answers a refused {@code /chat} or {@code /socket.io/} handshake with its HTTP status (400 bad name,
 * 401 bad token, 403 origin) before the container's WebSocket upgrade runs: the WebSocket API itself cannot refuse with a status.
 * Declared filters run before the containers' own upgrade filters, which map themselves after them.
 */
@WebFilter(urlPatterns = {"/chat", "/socket.io/*"}, asyncSupported = true)
public final class HandshakeFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            String origin = request.getHeader("Origin");
            // socket.io clients say who they are after the upgrade, in CONNECT: only their origin is checked here.
            Admission admission = request.getServletPath().startsWith("/socket.io")
                    ? handshakes().admitOrigin(origin) : handshakes().admit(origin, request.getQueryString());
            if (admission instanceof Admission.Refused refused) {
                response.sendError(refused.httpStatus(), refused.reason());
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** The running application's gate: its rules depend on the settings (token mode, origins). */
    private static HandshakeGate handshakes() {
        return ChatEndpointConfigurator.installed().app().handshakes();
    }
}
