package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Node;
import org.clubchat.support.PostgresProcess;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestServer;
import org.clubchat.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client module others build on (webapp/js/client.js), tested by itself in Node against real
 * servers (in memory, tokens, full, and with PostgreSQL): src/test/js/client.test.mjs, run with Node's test runner. Node 20 or later is needed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClientModuleIT {
    private static final String API_KEY = "client-module-key";
    @RegisterExtension
    static final TestServer open = new TestServer(Map.of("CLUBCHAT_HISTORY_SIZE", "5"));

    @Test
    void clientModulePassesItsNodeTests() throws IOException, InterruptedException {
        // The full server has room for one connection: the next is closed with 1013 before its welcome.
        // The stored server holds 5 messages in memory, the rest in PostgreSQL, and replays at most 4 on a join.
        try (PostgresProcess postgres = PostgresProcess.start();
                ServerProcess tokens = Node.start("tokens", Map.of("CLUBCHAT_TOKEN_SECRET", Tokens.SECRET, "CLUBCHAT_API_KEY", API_KEY));
                ServerProcess full = Node.start("full", Map.of("CLUBCHAT_CONNECTIONS_MAX", "1"));
                ServerProcess stored = Node.start("stored", Map.of("CLUBCHAT_DB_URL", postgres.url(), "CLUBCHAT_DB_USER", postgres.user(),
                        "CLUBCHAT_HISTORY_SIZE", "5", "CLUBCHAT_REPLAY_MAX", "4"))) {
            runNodeTests(tokens.http("/chat").getPort(), full.http("/chat").getPort(), stored.http("/chat").getPort());
        }
    }

    private static void runNodeTests(int tokenPort, int fullPort, int storedPort) throws IOException, InterruptedException {
        requireNode20();
        Map<String, String> env = Map.of("TOKEN_API", "http://127.0.0.1:" + tokenPort + "/api", "API_KEY", API_KEY,
                "OPEN_URL", "ws://127.0.0.1:" + open.port() + "/chat",
                "TOKEN_URL", "ws://127.0.0.1:" + tokenPort + "/chat", "TOKEN_SECRET", Tokens.SECRET,
                "FULL_URL", "ws://127.0.0.1:" + fullPort + "/chat", "STORED_URL", "ws://127.0.0.1:" + storedPort + "/chat");
        ProcessBuilder builder = new ProcessBuilder("node", "--experimental-websocket", "--no-warnings", "--test",
                "--test-reporter=spec", "src/test/js/client.test.mjs").redirectErrorStream(true);
        builder.environment().putAll(env);
        Process run = builder.start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!run.waitFor(2, TimeUnit.MINUTES)) {
            run.destroyForcibly();
        }
        System.out.println(output);
        assertEquals(0, run.exitValue(), () -> "node --test failed:\n" + output);
    }

    /** Node's WebSocket and test runner: Node 20 or later, or a sentence saying what to install. */
    private static void requireNode20() throws IOException, InterruptedException {
        String version;
        try {
            Process probe = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            version = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            probe.waitFor();
        } catch (IOException e) {
            version = "none";
        }
        int major = version.matches("v\\d+\\..*") ? Integer.parseInt(version.substring(1, version.indexOf('.'))) : 0;
        if (major < 20) {
            throw new IllegalStateException("the client module's tests need Node 20 or later on the path (found: " + version
                    + "); Debian 12's nodejs is 18: install Node 20 from nodejs.org or NodeSource");
        }
    }
}
