package org.clubchat.support;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.clubchat.ClubChat;
import org.clubchat.Settings;
import org.clubchat.launcher.Launcher;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real standalone server on a free loopback port, with settings given as environment entries.
 * Register it as a static {@code @RegisterExtension} field to get one server for the test class.
 */
public final class TestServer implements ChatServer, AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private final Map<String, String> env;
    private Launcher launcher;

    /** @param env settings as {@code CLUBCHAT_*} entries; the port is always a free one */
    public TestServer(Map<String, String> env) {
        this.env = new HashMap<>(env);
        this.env.put(Settings.Key.PORT.environmentVariable(), "0");
    }

    public TestServer() {
        this(Map.of());
    }

    /** Starts it now, for a test that stops it itself. */
    public TestServer start() throws Exception {
        launcher = Launcher.start(Settings.load(env, new Properties()));
        return this;
    }

    /** Stops the server and starts a new one on the same port: what a redeploy or a crash and restart looks like. */
    public void restart() throws Exception {
        int port = port();
        close();
        env.put(Settings.Key.PORT.environmentVariable(), String.valueOf(port));
        start();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    public int port() {
        return launcher.port();
    }

    public ClubChat app() {
        return launcher.app();
    }

    @Override
    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    @Override
    public void close() {
        launcher.close();
    }
}
