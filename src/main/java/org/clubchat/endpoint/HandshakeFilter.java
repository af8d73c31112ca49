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

/**
 * In a servlet container, answers a refused {@code /chat} handshake with its HTTP status (400 for a bad
 * name) before the container's WebSocket upgrade runs: the WebSocket API itself cannot refuse with a status.
 * Declared filters run before the containers' own upgrade filters, which map themselves after them.
 */
@WebFilter(urlPatterns = "/chat", asyncSupported = true)
public final class HandshakeFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private final transient HandshakeGate gate = new HandshakeGate();

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("websocket".equalsIgnoreCase(request.getHeader("Upgrade"))
                && gate.admit(query(request)) instanceof Admission.Refused refused) {
            response.sendError(refused.httpStatus(), refused.reason());
            return;
        }
        chain.doFilter(request, response);
    }

    private static Map<String, List<String>> query(HttpServletRequest request) {
        return request.getParameterMap().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> Arrays.asList(e.getValue())));
    }
}
