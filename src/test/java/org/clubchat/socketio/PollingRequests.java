package org.clubchat.socketio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Long-polling requests as plain values, for driving an {@link EngineServer} without a container. */
final class PollingRequests {
    private PollingRequests() {
    }

    /** A request whose answer is awaited, with a timeout. */
    record Request(String method, String rawQuery, Map<String, String> headers, String body,
            CompletableFuture<Answer> answer) implements PollingExchange {
        Request(String method, String rawQuery, Map<String, String> headers, String body) {
            this(method, rawQuery, headers, body, new CompletableFuture<>());
        }

        @Override
        public String header(String name) {
            return headers.get(name);
        }

        @Override
        public void respond(int status, String contentType, String text, Map<String, String> responseHeaders) {
            answer.complete(new Answer(status, contentType, text, responseHeaders));
        }

        Answer await() {
            return answer.orTimeout(5, TimeUnit.SECONDS).join();
        }
    }

    record Answer(int status, String contentType, String body, Map<String, String> headers) {
        JsonObject json() {
            return Json.createReader(new StringReader(body)).readObject();
        }
    }

    static Answer send(EngineServer server, String method, String query, String body) {
        Request request = new Request(method, query, Map.of(), body);
        server.handle(request);
        return request.await();
    }

    /** A new polling session's id. */
    static String handshake(EngineServer server) {
        Answer open = send(server, "GET", "EIO=4&transport=polling", "");
        assertEquals(200, open.status());
        assertTrue(open.body().startsWith("0"), open.body());
        return Json.createReader(new StringReader(open.body().substring(1))).readObject().getString("sid");
    }
}
