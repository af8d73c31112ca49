package org.clubchat.endpoint;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.clubchat.security.Admission;
import org.clubchat.security.HandshakeGate;

/**
 * In a servlet container, answers a refused {@code /chat} handshake with its HTTP status (400 bad name,
 * 401 bad token, 403 origin) before the container's WebSocket upgrade runs: the WebSocket API itself cannot refuse with a status.
 * Declared filters run before the containers' own upgrade filters, which map themselves after them.
 */
@WebFilter(urlPatterns = "/chat", asyncSupported = true)
public final class HandshakeFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))
                && handshakes().admit(request.getHeader("Origin"), query(request)) instanceof Admission.Refused refused) {
            response.sendError(refused.httpStatus(), refused.reason());
            return;
        }
        chain.doFilter(request, response);
    }

    /** The running application's gate: its rules depend on the settings (token mode, origins). */
    private static HandshakeGate handshakes() {
        return ChatEndpointConfigurator.installed().app().handshakes();
    }

    private static Map<String, List<String>> query(HttpServletRequest request) {
        return request.getParameterMap().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> Arrays.asList(e.getValue())));
    }
}
