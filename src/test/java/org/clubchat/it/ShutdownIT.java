package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownIT {

    @Test
    void stoppingTheServerClosesConnectionsWith1001() throws Exception {
        TestClient alice;
        TestClient bob;
        try (TestServer server = new TestServer().start()) {
            alice = server.connect("alice");
            bob = server.connect("bob");
            alice.join("s");
            bob.join("s");
        }
        assertEquals(1001, alice.awaitClose().code());
        assertEquals(1001, bob.awaitClose().code());
    }
}
