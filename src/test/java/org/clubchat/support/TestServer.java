package org.clubchat.support;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.clubchat.ClubChat;
import org.clubchat.Settings;
import org.clubchat.launcher.Launcher;

/** The real standalone server on a free loopback port, with settings given as environment entries. */
public final class TestServer implements AutoCloseable {
    private final Launcher launcher;

    private TestServer(Launcher launcher) {
        this.launcher = launcher;
    }

    /** @param env settings as {@code CLUBCHAT_*} entries; the port is always a free one */
    public static TestServer start(Map<String, String> env) throws Exception {
        Map<String, String> all = new HashMap<>(env);
        all.put(Settings.Key.PORT.environmentVariable(), "0");
        return new TestServer(Launcher.start(Settings.load(all, new Properties())));
    }

    public static TestServer start() throws Exception {
        return start(Map.of());
    }

    public int port() {
        return launcher.port();
    }

    public ClubChat app() {
        return launcher.app();
    }

    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public URI chat() {
        return URI.create("ws://127.0.0.1:" + port() + "/chat");
    }

    public URI chatAs(String name) {
        return URI.create(chat() + "?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    }

    /** A connected client that has already read its {@code welcome}. */
    public TestClient connect(String name) {
        TestClient client = TestClient.connect(chatAs(name));
        client.expect("welcome");
        return client;
    }

    @Override
    public void close() {
        launcher.close();
    }
}
