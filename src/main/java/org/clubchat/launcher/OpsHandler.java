package org.clubchat.launcher;

import java.nio.charset.StandardCharsets;
import org.clubchat.ops.OpsApi;
import org.clubchat.ops.OpsRequest;
import org.clubchat.ops.OpsResponse;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/** The operations endpoints on the launcher's Grizzly server: adapts requests to {@link OpsApi}, nothing more. */
final class OpsHandler extends HttpHandler {
    private final OpsApi api;

    OpsHandler(OpsApi api) {
        this.api = api;
    }

    @Override
    public void service(Request request, Response response) throws Exception {
        String method = request.getMethod().getMethodString();
        OpsResponse answer = api.handle(new OpsRequest(method, request.getRequestURI(), request.getQueryString(), request.getHeader("Authorization"),
                OpsApi.body(method, request.getInputStream(), request.getContentLengthLong())));
        response.setStatus(answer.status());
        response.setContentType(answer.contentType());
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        answer.headers().forEach(response::setHeader);
        response.getWriter().write(answer.body());
    }
}
