package org.clubchat.endpoint;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.clubchat.ops.OpsApi;
import org.clubchat.ops.OpsRequest;
import org.clubchat.ops.OpsResponse;

/** The operations endpoints in a servlet container: adapts requests to {@link OpsApi}, nothing more. */
@WebServlet(urlPatterns = {"/health", "/metrics", "/api/*", OpsApi.PAGE_CONFIG})
public final class OpsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private transient OpsApi api;

    @Override
    public void init() {
        api = ChatEndpointConfigurator.installed().app().ops();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        OpsResponse answer = api.handle(new OpsRequest(request.getMethod(), path, request.getQueryString(), request.getHeader("Authorization"),
                OpsApi.body(request.getMethod(), request.getInputStream(), request.getContentLengthLong())));
        response.setStatus(answer.status());
        response.setContentType(answer.contentType());
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        answer.headers().forEach(response::setHeader);
        response.getWriter().write(answer.body());
    }
}
