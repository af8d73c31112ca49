package org.clubchat.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * club-chat running in a process of its own on a loopback port: the WAR in a real container, or a
 * standalone node. Ready means the application's own page answers 200: a container whose deployment
 * failed still answers its port, with 404.
 */
public final class ServerProcess implements ChatServer, AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final int port;
    private final String contextPath;
    private final Path log;

    private ServerProcess(String name, Process process, int port, String contextPath, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.contextPath = contextPath;
        this.log = log;
    }

    /**
     * Starts the command, its output going to {@code log}, and waits until the page answers.
     *
     * @param contextPath where the application is, e.g. {@code /club-chat}, or empty for the root
     */
    public static ServerProcess start(String name, ProcessBuilder command, int port, String contextPath, Path log) throws IOException {
        command.redirectErrorStream(true).redirectOutput(log.toFile());
        ServerProcess war = new ServerProcess(name, command.start(), port, contextPath, log);
        try {
            war.awaitReady();
        } catch (RuntimeException | Error e) {
            war.close();
            throw e;
        }
        return war;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A system property that Maven's Failsafe configuration sets to a built or downloaded file. */
    public static Path requiredFile(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.exists(Path.of(value))) {
            fail("system property " + property + " must name an existing file (set by `mvn verify`), was " + value);
        }
        return Path.of(value);
    }

    /** An empty folder under the build directory for one container's state and logs. */
    public static Path freshFolder(String name) throws IOException {
        Path folder = requiredFile("it.war").resolveSibling("containers").resolve(name + "-run");
        if (Files.exists(folder)) {
            try (var paths = Files.walk(folder)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
        return Files.createDirectories(folder);
    }

    @Override
    public URI http(String path) {
        return URI.create("http://127.0.0.1:" + port + contextPath + path);
    }

    private void awaitReady() {
        Await.until(START_TIMEOUT, () -> !process.isAlive() || pageAnswers(),
                () -> name + " to serve " + http("/") + "; its log ends with:\n" + logTail());
        if (!process.isAlive()) {
            fail(name + " exited with " + process.exitValue() + " before serving " + http("/") + "; its log ends with:\n" + logTail());
        }
    }

    private boolean pageAnswers() {
        HttpRequest request = HttpRequest.newBuilder(http("/")).timeout(Duration.ofSeconds(5)).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Everything the container printed so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String logTail() {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Kills the process at once (SIGKILL): no shutdown hook, no close frames, as a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Stops the process without ending it (SIGSTOP), as a long pause of its machine would, until {@link #resume}. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " exited with " + exit);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return name + " at " + http("/");
    }
}
