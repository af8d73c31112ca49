package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The origin allow-list against cross-site WebSocket hijacking. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OriginIT {
    @RegisterExtension
    static final TestServer server = new TestServer(
            Map.of("CLUBCHAT_ALLOWED_ORIGINS", "https://chat.example.com, http://localhost:8001"));

    private static int handshakeStatus(String origin) throws Exception {
        return handshakeStatus(server.chatAs("alice"), origin);
    }

    /** The status of a WebSocket handshake at {@code uri} from {@code origin} (null: no Origin header). */
    static int handshakeStatus(URI uri, String origin) throws Exception {
        var builder = HttpClient.newHttpClient().newWebSocketBuilder();
        if (origin != null) {
            builder.header("Origin", origin);
        }
        try {
            builder.buildAsync(uri, new WebSocket.Listener() { })
                    .get(10, TimeUnit.SECONDS).abort();
            return 101;
        } catch (ExecutionException e) {
            return ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode();
        }
    }

    @Test
    void listedOriginsAreAcceptedInAnyCase() throws Exception {
        assertEquals(101, handshakeStatus("https://chat.example.com"));
        assertEquals(101, handshakeStatus("HTTPS://Chat.Example.com"));
        assertEquals(101, handshakeStatus("http://localhost:8001"));
    }

    @Test
    void otherOriginsAreRefusedWith403() throws Exception {
        assertEquals(403, handshakeStatus("https://evil.example.com"));
        assertEquals(403, handshakeStatus("https://chat.example.com:8443"));
        assertEquals(403, handshakeStatus("null"));
    }

    @Test
    void handshakeWithoutOriginIsNotFromABrowserAndIsAccepted() throws Exception {
        assertEquals(101, handshakeStatus(null));
        try (TestClient client = server.connect("bob")) {
            client.send("{\"type\":\"ping\"}");
            client.expect("pong");
        }
    }

    /** socket.io clients say who they are after the upgrade, but their origin is checked before it all the same. */
    @Test
    void socketIoWebSocketsFromOtherOriginsAreRefusedWith403() throws Exception {
        URI socketIo = URI.create("ws://127.0.0.1:" + server.port() + "/socket.io/?EIO=4&transport=websocket");
        assertEquals(403, handshakeStatus(socketIo, "https://evil.example.com"));
        assertEquals(101, handshakeStatus(socketIo, "https://chat.example.com"));
        assertEquals(101, handshakeStatus(socketIo, null));
    }
}
