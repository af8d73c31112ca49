package org.clubchat.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs src/test/js/socketio/socketio.test.mjs, the real socket.io client against real servers, with Node's
 * test runner. The client comes from npm at the version package-lock.json pins, installed once per build
 * into target/socketio-node (Node 20 and npm are needed; the registry must be reachable the first time).
 */
public final class SocketIoClients {
    private static final Path SOURCE = Path.of("src/test/js/socketio");
    private static final Path WORK = Path.of("target/socketio-node");
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "socketio.test.mjs");

    private SocketIoClients() {
    }

    /** Runs the tests with these variables (see the script's header) and fails with their output if any fails. */
    public static void run(Map<String, String> env) throws IOException, InterruptedException {
        prepare();
        ProcessBuilder builder = new ProcessBuilder("node", "--experimental-websocket", "--no-warnings", "--test",
                "--test-reporter=spec", "--test-concurrency=1", "socketio.test.mjs").directory(WORK.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        String output = runToEnd(builder, 4);
        System.out.println(output);
        assertEquals("0", output.substring(output.lastIndexOf('\n') + 1), () -> "the socket.io tests failed:\n" + output);
    }

    /** The pinned client's node_modules folder, installed if it is not yet (for its browser bundle). */
    public static Path installed() throws IOException, InterruptedException {
        prepare();
        return WORK.resolve("node_modules").toAbsolutePath();
    }

    private static synchronized void prepare() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        for (String file : FILES) {
            Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(WORK.resolve("node_modules/socket.io-client"))) {
            String output = runToEnd(new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(WORK.toFile())
                    .redirectErrorStream(true), 3);
            assertEquals("0", output.substring(output.lastIndexOf('\n') + 1), () -> "npm ci failed:\n" + output);
        }
    }

    /** The process's output, then a line with its exit code. */
    private static String runToEnd(ProcessBuilder builder, int minutes) throws IOException, InterruptedException {
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("the socket.io tests need Node 20 or later and npm on the path", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        return output + "\n" + process.waitFor();
    }
}
