package org.clubchat.endpoint;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.clubchat.socketio.EngineServer;
import org.clubchat.socketio.PollingExchange;

/**
 * socket.io's HTTP long-polling in a servlet container: each request is made asynchronous and handed to
 * the {@link EngineServer}, which answers it at once or when it has packets for it. The WebSocket side
 * of the same path is the {@link EngineEndpoint}, which the containers' upgrade filters reach first.
 */
@WebServlet(urlPatterns = "/socket.io/*", asyncSupported = true)
public final class PollingServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        EngineServer server = ChatEndpointConfigurator.installed().app().socketIo();
        String body;
        try (InputStream in = request.getInputStream()) {
            body = PollingExchange.readBody(in, server.options().maxPayload());
        }
        AsyncContext async = request.startAsync();
        // The engine ends every poll: with packets, a ping within the ping interval, or the session's close.
        async.setTimeout(0);
        server.handle(new Exchange(request, async, body));
    }

    /** One request, answered later and once, from any thread. */
    private record Exchange(HttpServletRequest request, AsyncContext async, String body) implements PollingExchange {
        @Override
        public String method() {
            return request.getMethod();
        }

        @Override
        public String rawQuery() {
            return request.getQueryString();
        }

        @Override
        public String header(String name) {
            return request.getHeader(name);
        }

        @Override
        public void respond(int status, String contentType, String text, Map<String, String> headers) {
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            try {
                response.setStatus(status);
                response.setContentType(contentType);
                response.setContentLength(bytes.length);
                headers.forEach(response::setHeader);
                try (OutputStream out = response.getOutputStream()) {
                    out.write(bytes);
                }
            } catch (IOException e) {
                throw new IllegalStateException("the client went away", e);
            } finally {
                async.complete();
            }
        }
    }
}
