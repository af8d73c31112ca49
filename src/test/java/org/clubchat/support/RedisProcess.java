package org.clubchat.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A real redis-server (Debian's) on a free loopback port, keeping nothing on disk, for one test class. */
public final class RedisProcess implements RedisTopology {
    private static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");
    private final int port;
    private final Path dir;
    private Process process;

    private RedisProcess(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    public static RedisProcess start() throws IOException {
        if (!Files.isExecutable(REDIS_SERVER)) {
            throw new IllegalStateException("the cluster tests need Debian's redis-server: sudo apt-get install redis-server");
        }
        RedisProcess redis = new RedisProcess(ServerProcess.freePort(), Files.createTempDirectory("clubchat-redis"));
        redis.startAgain();
        return redis;
    }

    @Override
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts it (again, on the same port, empty: nothing was kept) and waits until it answers PING. */
    public void startAgain() throws IOException {
        process = new ProcessBuilder(REDIS_SERVER.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        Await.until(Duration.ofSeconds(10), () -> answersPing(port), () -> "redis-server answers PING on port " + port);
    }

    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Whether a redis-server on the loopback port answers PING (without a password). */
    static boolean answersPing(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(7);
            return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
