package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Http;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /health while serving and while shutting down, and the publish API switched off without a key. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthIT {

    @Test
    void upWhileServingThen503WhileShuttingDown() throws Exception {
        try (TestServer server = new TestServer().start(); TestClient alice = server.connect("alice")) {
            alice.join("h1");
            HttpResponse<String> up = Http.get(server.http("/health"));
            assertEquals(200, up.statusCode());
            JsonObject body = Http.json(up);
            assertEquals("up", body.getString("status"));
            assertEquals(1, body.getInt("connections"));
            assertEquals(1, body.getInt("clubs"));
            assertEquals("no-store", up.headers().firstValue("Cache-Control").orElse(""));

            server.app().close();
            HttpResponse<String> stopping = Http.get(server.http("/health"));
            assertEquals(503, stopping.statusCode());
            assertEquals("stopping", Http.json(stopping).getString("status"));
            assertEquals(1001, alice.awaitClose().code());
        }
    }

    @Test
    void publishApiIsOffWithoutAKey() throws Exception {
        try (TestServer server = new TestServer().start()) {
            HttpResponse<String> off = Http.post(server.http("/api/clubs/x/messages"), "{\"message\":\"hi\"}",
                    "Authorization", "Bearer anything");
            assertEquals(404, off.statusCode());
            assertEquals(404, Http.get(server.http("/api/clubs/x")).statusCode());
            assertEquals(200, Http.get(server.http("/health")).statusCode());
        }
    }
}
