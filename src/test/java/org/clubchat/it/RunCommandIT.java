package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Http;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The README's run command, as a new user types it (`mvn -q compile exec:java`, here offline and on a
 * free port): the server starts, serves the page and /metrics, and chats. It once failed for want of a
 * runtime dependency on exec:java's class path while every other test passed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RunCommandIT {

    @Test
    void readmeRunCommandStartsAWorkingServer() throws Exception {
        int port = ServerProcess.freePort();
        ProcessBuilder mvn = new ProcessBuilder("mvn", "-q", "-o", "compile", "exec:java", "-Dclubchat.port=" + port)
                .directory(Path.of("").toAbsolutePath().toFile());
        try (ServerProcess server = ServerProcess.start("run-command", mvn, port, "",
                ServerProcess.freshFolder("run-command").resolve("mvn.log"))) {
            // HTTP/1.1, as browsers ask: the JDK client's default h2c upgrade request confuses Grizzly's static handler.
            HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            assertEquals(200, http11.send(HttpRequest.newBuilder(server.http("/")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
            assertEquals(200, Http.get(server.http("/metrics")).statusCode(), "the Prometheus exposition is on the class path");
            try (TestClient alice = server.connect("alice")) {
                alice.join("run-command");
                assertEquals(1, alice.chat("run-command", "it runs"));
            }
        }
    }
}
