package org.clubchat.support;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** A running club-chat the tests talk to: the standalone launcher, or the WAR in a container. */
public interface ChatServer {

    /** A URL under the application's root: {@code http("/")} is the page, {@code http("/chat")} the endpoint. */
    URI http(String path);

    default URI chat() {
        return URI.create("ws" + http("/chat").toString().substring("http".length()));
    }

    default URI chatAs(String name) {
        return URI.create(chat() + "?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    }

    /** A connected client that has already read its {@code welcome}. */
    default TestClient connect(String name) {
        TestClient client = TestClient.connect(chatAs(name));
        client.expect("welcome");
        return client;
    }
}
