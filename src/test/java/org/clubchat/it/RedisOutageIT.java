package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Await;
import org.clubchat.support.Http;
import org.clubchat.support.Node;
import org.clubchat.support.RedisProcess;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Redis goes away and comes back (empty): no false ack meanwhile, one log line, and chat resumes by itself. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RedisOutageIT {

    @Test
    void nodesRideOutARedisRestartWithoutBeingRestarted() throws Exception {
        try (RedisProcess redis = RedisProcess.start()) {
            Map<String, String> settings = Map.of("CLUBCHAT_REDIS_URI", redis.uri());
            try (ServerProcess node0 = Node.start("outage0", settings); ServerProcess node1 = Node.start("outage1", settings)) {
                TestClient alice = node0.connect("alice");
                TestClient bob = node1.connect("bob");
                alice.join("weather");
                bob.join("weather");
                alice.expect("presence");
                assertEquals(1, alice.chat("weather", "sunny"));
                bob.expect("chat");

                redis.stop();
                for (ServerProcess node : List.of(node0, node1)) {
                    Await.until(Duration.ofSeconds(10), () -> Http.get(node.http("/health")).statusCode() == 503,
                            () -> node + " reports Redis down");
                }
                alice.send("{\"type\":\"chat\",\"clubId\":\"weather\",\"message\":\"storm\",\"id\":\"s\"}");
                assertEquals("s", alice.expectError("unavailable").getString("id"));
                alice.send("{\"type\":\"chat\",\"clubId\":\"weather\",\"message\":\"storm again\"}");
                alice.expectError("unavailable");
                bob.assertNoFrame(Duration.ofMillis(300));
                HttpResponse<String> down = Http.get(node0.http("/health"));
                assertEquals(503, down.statusCode());
                assertEquals("down", Http.json(down).getString("redis"));
                alice.send("{\"type\":\"ping\"}");
                alice.expect("pong");
                try (TestClient carol = node0.connect("carol")) {
                    carol.send("{\"type\":\"join\",\"clubId\":\"weather\",\"id\":\"j\"}");
                    assertEquals("j", carol.expectError("unavailable").getString("id"));
                    carol.send("{\"type\":\"chat\",\"clubId\":\"weather\",\"message\":\"hello?\"}");
                    carol.expectError("not_member");
                }

                redis.startAgain();
                for (ServerProcess node : List.of(node0, node1)) {
                    Await.until(Duration.ofSeconds(20), () -> Http.get(node.http("/health")).statusCode() == 200,
                            () -> node + " sees Redis again");
                }
                // Redis came back empty: the club's history is gone, so its members are told to reconnect.
                assertEquals(1001, alice.awaitClose().code());
                assertEquals(1001, bob.awaitClose().code());
                try (TestClient alice2 = node0.connect("alice"); TestClient bob2 = node1.connect("bob")) {
                    alice2.join("weather");
                    bob2.join("weather");
                    alice2.expect("presence");
                    assertEquals(1, bob2.chat("weather", "clear again"));
                    assertEquals("clear again", alice2.expect("chat").getString("message"));
                }
                assertEquals(1, count(node0.log(), "Redis is unavailable"), "logged once, not once per message");
            }
        }
    }

    private static long count(String text, String what) {
        return text.lines().filter(line -> line.contains(what)).count();
    }
}
