package org.clubchat.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.clubchat.socketio.EngineServer;
import org.clubchat.socketio.PollingExchange;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;

/**
 * An Engine.IO server's HTTP long-polling on the launcher's Grizzly server: each request is suspended and
 * handed to the {@link EngineServer}, which answers it at once or when it has packets for it.
 */
final class PollingHandler extends HttpHandler {
    private final EngineServer server;

    PollingHandler(EngineServer server) {
        this.server = server;
    }

    @Override
    public void service(Request request, Response response) throws IOException {
        String body;
        try (InputStream in = request.getInputStream()) {
            body = PollingExchange.readBody(in, server.options().maxPayload());
        }
        response.suspend();
        server.handle(new Exchange(request, response, body));
    }

    /** One request, answered later and once, from any thread. */
    private record Exchange(Request request, Response response, String body) implements PollingExchange {
        @Override
        public String method() {
            return request.getMethod().getMethodString();
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
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            try {
                response.setStatus(status);
                response.setContentType(contentType);
                response.setContentLength(bytes.length);
                headers.forEach(response::setHeader);
                OutputStream out = response.getOutputStream();
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException("the client went away", e);
            } finally {
                response.resume();
            }
        }
    }
}
