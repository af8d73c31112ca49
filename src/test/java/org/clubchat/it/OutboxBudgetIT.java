package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Http;
import org.clubchat.support.RawWebSocket;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * More queued for clients that do not read than the server's outbox budget allows: the largest backlogs
 * are shed with 1013, and the server keeps serving everyone else.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OutboxBudgetIT {
    private static final String API_KEY = "budget-key";
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of(
            "CLUBCHAT_OUTBOX_BUDGET_BYTES", String.valueOf(2 * 1024 * 1024),
            "CLUBCHAT_MESSAGE_MAX_LENGTH", "64000",
            "CLUBCHAT_API_KEY", API_KEY));

    @Test
    void pastTheBudgetTheLargestBacklogsAreShedAndTheRestIsServed() throws Exception {
        int messages = 200;
        String body = Json.createObjectBuilder().add("message", "x".repeat(60_000)).build().toString();
        List<RawWebSocket> stalled = new ArrayList<>();
        try (TestClient fast = server.connect("fast")) {
            fast.join("busy");
            for (int i = 0; i < 6; i++) {
                RawWebSocket slow = new RawWebSocket(server.port(), "/chat?name=slow" + i, 4096);
                slow.sendText("{\"type\":\"join\",\"clubId\":\"busy\"}");
                stalled.add(slow);
                assertEquals("slow" + i, fast.expect("presence").getString("name"));
            }
            for (int i = 0; i < messages; i++) {
                HttpResponse<String> created = Http.post(server.http("/api/clubs/busy/messages"), body,
                        "Authorization", "Bearer " + API_KEY);
                assertEquals(201, created.statusCode(), created::body);
            }
            long seq = 0;
            while (seq < messages) {
                JsonObject frame = fast.next();
                if ("chat".equals(frame.getString("type"))) {
                    assertEquals(++seq, frame.getJsonNumber("seq").longValue(), "gapless, in order");
                }
            }
            Map<String, Double> metrics = Http.samples(Http.get(server.http("/metrics")).body());
            assertTrue(metrics.get("clubchat_outbox_shed_total") >= 1, () -> "shed: " + metrics);
            assertEquals(200, Http.get(server.http("/health")).statusCode());
            try (TestClient late = server.connect("late")) {
                late.join("busy");
                JsonObject presence;
                do {
                    presence = fast.expect("presence");
                } while (!"late".equals(presence.getString("name")));
            }
        } finally {
            for (RawWebSocket slow : stalled) {
                slow.close();
            }
        }
    }
}
