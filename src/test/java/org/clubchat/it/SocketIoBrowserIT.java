package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Browser;
import org.clubchat.support.SocketIoClients;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A page written for the NestJS gateway, on another origin, in real headless Chromium with socket.io's own
 * browser bundle and default options: cross-origin long-polling (CORS with the browser's Origin), then
 * the upgrade, chatting in Korean and emoji with a native client.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SocketIoBrowserIT {
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of());

    @Test
    void aGatewayPageOnAnotherOriginChatsWithANativeClient() throws Exception {
        Path bundle = SocketIoClients.installed().resolve("socket.io-client/dist/socket.io.min.js");
        HttpServer page = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        page.createContext("/", exchange -> serve(exchange, exchange.getRequestURI().getPath().equals("/socket.io.min.js")
                ? Files.readAllBytes(bundle) : resource("/socketio-page/index.html"),
                exchange.getRequestURI().getPath().endsWith(".js") ? "text/javascript" : "text/html; charset=utf-8"));
        page.start();
        try (TestClient native_ = server.connect("Native 네이티브")) {
            native_.join("browser-sio");
            URI address = URI.create("http://127.0.0.1:" + page.getAddress().getPort()
                    + "/?club=browser-sio&server=http://127.0.0.1:" + server.port());
            try (Browser browser = new Browser(address)) {
                browser.await("the upgrade to WebSocket", d -> "websocket".equals(browser.find("#status").getText()));
                assertEquals("브라우저에서 안녕 👋 café", native_.expectSkipping("chat", "presence").getString("message"));
                native_.chat("browser-sio", "네이티브가 답해요 🎉");
                browser.await("the native client's answer", d -> browser.find("#log").getText()
                        .contains("Native 네이티브: 네이티브가 답해요 🎉"));
                browser.screenshot(Path.of("target", "screenshots", "socketio-page.png"));
            }
        } finally {
            page.stop(0);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SocketIoBrowserIT.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    private static void serve(HttpExchange exchange, byte[] body, String type) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }
}
