package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Await;
import org.clubchat.support.Http;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /metrics in the Prometheus text format, its counters moving by exactly what a scripted exchange did. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsIT {
    @RegisterExtension
    static final TestServer server = new TestServer();

    private static Map<String, Double> scrape() {
        HttpResponse<String> response = Http.get(server.http("/metrics"));
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        return Http.samples(response.body());
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
        assertTrue(after.containsKey(sample), () -> "no sample " + sample + " in " + after.keySet());
        return after.get(sample) - before.getOrDefault(sample, 0.0);
    }

    @Test
    void countersMoveByExactlyWhatWasDone() {
        Map<String, Double> before = scrape();
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob");
                TestClient carol = server.connect("carol")) {
            alice.join("metered");
            bob.join("metered");
            carol.join("metered");
            alice.expect("presence");
            alice.expect("presence");
            bob.expect("presence");
            for (int i = 0; i < 3; i++) {
                alice.chat("metered", "m" + i);
                bob.expect("chat");
            }
            bob.send("{not json");
            bob.expectError("bad_json");
            bob.send("{\"type\":\"leave\",\"clubId\":\"elsewhere\"}");
            bob.expectError("not_member");
            bob.send("{\"type\":\"ping\"}");
            bob.expect("pong");
            carol.sendBinary(new byte[] {1});
            assertEquals(1003, carol.awaitClose().code());
            Await.until(Duration.ofSeconds(10), () -> server.app().gateway().openConnections() == 2, () -> "carol is gone");

            Map<String, Double> after = scrape();
            assertEquals(3, delta(before, after, "clubchat_connections_opened_total{protocol=\"clubchat\"}"));
            assertEquals(2, after.get("clubchat_connections_open{protocol=\"clubchat\"}"));
            assertEquals(0, after.get("clubchat_connections_open{protocol=\"socketio\"}"));
            assertEquals(1, after.get("clubchat_clubs"));
            assertEquals(3, delta(before, after, "clubchat_frames_received_total{type=\"join\"}"));
            assertEquals(3, delta(before, after, "clubchat_frames_received_total{type=\"chat\"}"));
            assertEquals(1, delta(before, after, "clubchat_frames_received_total{type=\"leave\"}"));
            assertEquals(1, delta(before, after, "clubchat_frames_received_total{type=\"ping\"}"));
            assertEquals(1, delta(before, after, "clubchat_frames_received_total{type=\"invalid\"}"));
            assertEquals(1, delta(before, after, "clubchat_frames_received_total{type=\"binary\"}"));
            assertEquals(6, delta(before, after, "clubchat_messages_delivered_total"), "3 messages to 2 others each");
            assertEquals(3, delta(before, after, "clubchat_fanout_seconds_count"));
            assertEquals(3, delta(before, after, "clubchat_fanout_seconds_bucket{le=\"+Inf\"}"));
            assertEquals(1, delta(before, after, "clubchat_errors_sent_total{code=\"bad_json\"}"));
            assertEquals(1, delta(before, after, "clubchat_errors_sent_total{code=\"not_member\"}"));
            assertEquals(0, delta(before, after, "clubchat_errors_sent_total{code=\"too_long\"}"));
            assertEquals(1, delta(before, after, "clubchat_connections_closed_total{code=\"1003\"}"));
            assertEquals(0, delta(before, after, "clubchat_outbox_overflows_total"));
            assertEquals(0, delta(before, after, "clubchat_rate_limited_total"));
            assertTrue(after.containsKey("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}")
                    || after.keySet().stream().anyMatch(name -> name.startsWith("jvm_memory_used_bytes")), "JVM meters too");
        }
    }
}
