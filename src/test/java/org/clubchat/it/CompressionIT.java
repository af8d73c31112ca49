package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.CompressionChecks;
import org.clubchat.support.RawWebSocket;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The launcher and permessage-deflate: a client that offers it, as browsers do, connects without it
 * (its Tyrus has none to offer, whatever {@code CLUBCHAT_WS_COMPRESSION} says), and Korean and emoji
 * arrive intact.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class CompressionIT {
    @RegisterExtension
    static final TestServer allowed = new TestServer(Map.of("CLUBCHAT_WS_COMPRESSION", "on"));

    @Test
    void theLauncherConnectsABrowserLikeClientWithoutCompression() throws Exception {
        try (RawWebSocket browserLike = RawWebSocket.offeringDeflate(allowed.port(), "/chat?name=deflate");
                RawWebSocket engine = RawWebSocket.offeringDeflate(allowed.port(), "/socket.io/?EIO=4&transport=websocket");
                TestClient peer = allowed.connect("peer")) {
            assertEquals("", browserLike.extensions());
            assertEquals("", engine.extensions());
            CompressionChecks.chatArrivesIntact(browserLike, peer, "deflate-launcher");
        }
    }
}
