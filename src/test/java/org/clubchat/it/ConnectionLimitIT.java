package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Await;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server's connection limit: past it, new connections close with 1013; open ones carry on. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionLimitIT {
    @RegisterExtension
    static final TestServer small = new TestServer(Map.of("CLUBCHAT_CONNECTIONS_MAX", "2"));

    @Test
    void connectionsPastTheServerLimitAreClosedWith1013AndOthersAreUnaffected() {
        try (TestClient alice = small.connect("alice");
                TestClient bob = small.connect("bob");
                TestClient carol = TestClient.connect(small.chatAs("carol"))) {
            assertEquals(1013, carol.awaitClose().code());
            carol.assertNoFrame(Duration.ZERO);
            alice.join("full");
            bob.join("full");
            alice.expect("presence");
            assertEquals(1, bob.chat("full", "still here"));
            assertEquals("still here", alice.expect("chat").getString("message"));
            bob.close();
            Await.until(Duration.ofSeconds(10), () -> small.app().gateway().openConnections() == 1, () -> "bob is gone");
            try (TestClient dave = small.connect("dave")) {
                dave.send("{\"type\":\"ping\"}");
                dave.expect("pong");
            }
        }
    }
}
