package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Await;
import org.clubchat.support.RawWebSocket;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Pings and the idle timeout: a silent peer is let go of; a peer that answers pings is kept. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DeadPeerIT {
    private static final Duration IDLE = Duration.ofSeconds(1);
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of(
            "CLUBCHAT_PING_INTERVAL", "PT0.2S",
            "CLUBCHAT_IDLE_TIMEOUT", "PT1S"));

    @Test
    void peerThatGoesSilentIsClosedAfterTheIdleTimeoutAndLeavesItsClubs() throws Exception {
        try (TestClient watcher = server.connect("watcher")) {
            watcher.join("ghosts");
            try (RawWebSocket ghost = new RawWebSocket(server.port(), "/chat?name=ghost", 0)) {
                ghost.sendText("{\"type\":\"join\",\"clubId\":\"ghosts\"}");
                assertEquals("join", watcher.expect("presence").getString("event"));
                long start = System.nanoTime();
                ghost.awaitEndOfStream();
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertEquals("leave", watcher.expect("presence").getString("event"));
                assertEquals(true, took.compareTo(IDLE.multipliedBy(5)) < 0, "let go of after " + took);
            }
            Await.until(Duration.ofSeconds(5), () -> server.app().gateway().openConnections() == 1,
                    () -> "only the watcher is open");
        }
    }

    /** The JDK client answers pings by itself, as browsers do; a window of silence is the assertion here. */
    @Test
    void peerThatAnswersPingsStaysOpenThroughLongSilence() {
        try (TestClient quiet = server.connect("quiet")) {
            quiet.assertNoFrame(IDLE.multipliedBy(3));
            quiet.send("{\"type\":\"ping\"}");
            quiet.expect("pong");
        }
    }
}
