package org.clubchat.support;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis primary, its replica and three sentinels (Debian's redis-server), on free loopback ports,
 * keeping nothing on disk but the sentinels' own configuration, with a password on the data nodes.
 * {@code downAfter} is Sentinel's {@code down-after-milliseconds}: 30 s is Sentinel's own default.
 */
public final class SentinelGroup implements RedisTopology {
    public static final String MASTER_ID = "clubchat";
    public static final Duration SENTINEL_DEFAULT = Duration.ofSeconds(30);
    private static final String PASSWORD = "sentinel-group-pw";
    private static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");

    private final Path dir;
    private final List<Integer> sentinelPorts = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final int primaryPort;
    private final int replicaPort;
    private Process primary;

    private SentinelGroup(Path dir, int primaryPort, int replicaPort) {
        this.dir = dir;
        this.primaryPort = primaryPort;
        this.replicaPort = replicaPort;
    }

    /** Starts the primary, the replica (waiting until it is in sync) and the sentinels (until they see both). */
    public static SentinelGroup start(Duration downAfter) throws IOException {
        if (!Files.isExecutable(REDIS_SERVER)) {
            throw new IllegalStateException("the Sentinel tests need Debian's redis-server: sudo apt-get install redis-server");
        }
        SentinelGroup group = new SentinelGroup(Files.createTempDirectory("clubchat-sentinel"), ServerProcess.freePort(),
                ServerProcess.freePort());
        try {
            group.primary = group.dataNode("primary", group.primaryPort, List.of());
            group.dataNode("replica", group.replicaPort, List.of("--replicaof", "127.0.0.1", String.valueOf(group.primaryPort)));
            for (int i = 0; i < 3; i++) {
                group.sentinel(i, downAfter);
            }
            group.awaitReady();
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
        return group;
    }

    /** Lettuce's form: every sentinel, the master id, and the data nodes' password. */
    @Override
    public String uri() {
        return "redis-sentinel://" + PASSWORD + "@" + sentinelPorts.stream().map(port -> "127.0.0.1:" + port)
                .collect(Collectors.joining(",")) + "#" + MASTER_ID;
    }

    /** The primary's port as the sentinels see it now. */
    public int primaryPort() {
        try (RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", sentinelPorts.get(0)));
                var sentinel = client.connectSentinel()) {
            InetSocketAddress address = (InetSocketAddress) sentinel.sync().getMasterAddrByName(MASTER_ID);
            return address.getPort();
        }
    }

    public int replicaPort() {
        return replicaPort;
    }

    /** A direct connection to one data node (the primary or the replica), for a test to look into Redis. */
    public RedisURI dataNodeUri(int port) {
        return RedisURI.Builder.redis("127.0.0.1", port).withPassword(PASSWORD.toCharArray()).build();
    }

    /** Kills the primary hard (SIGKILL): it answers nothing more, and never comes back. */
    public void killPrimary() throws InterruptedException {
        primary.destroyForcibly().waitFor();
    }

    /** Waits until the sentinels have promoted the replica. */
    public void awaitFailover(Duration within) {
        Await.until(within, () -> primaryPort() == replicaPort, () -> "the sentinels promoted the replica on port " + replicaPort);
    }

    private Process dataNode(String name, int port, List<String> more) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        List<String> command = new ArrayList<>(List.of(REDIS_SERVER.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", home.toString(), "--requirepass", PASSWORD, "--masterauth", PASSWORD));
        command.addAll(more);
        return started(new ProcessBuilder(command), home);
    }

    private void sentinel(int i, Duration downAfter) throws IOException {
        int port = ServerProcess.freePort();
        Path home = Files.createDirectories(dir.resolve("sentinel" + i));
        Path conf = home.resolve("sentinel.conf");
        Files.writeString(conf, String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "dir " + home,
                "sentinel monitor " + MASTER_ID + " 127.0.0.1 " + primaryPort + " 2",
                "sentinel auth-pass " + MASTER_ID + " " + PASSWORD,
                "sentinel down-after-milliseconds " + MASTER_ID + " " + downAfter.toMillis(),
                "sentinel failover-timeout " + MASTER_ID + " " + Math.max(10_000, 2 * downAfter.toMillis()),
                ""));
        started(new ProcessBuilder(REDIS_SERVER.toString(), conf.toString(), "--sentinel"), home);
        sentinelPorts.add(port);
    }

    private Process started(ProcessBuilder command, Path home) throws IOException {
        Process process = command.redirectErrorStream(true).redirectOutput(home.resolve("redis.log").toFile()).start();
        processes.add(process);
        return process;
    }

    private void awaitReady() {
        Await.until(Duration.ofSeconds(20), this::ready, () -> "the replica in sync and every sentinel seeing it and the others, in " + dir);
    }

    private boolean ready() {
        try {
            for (int port : sentinelPorts) {
                try (RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", port));
                        var sentinel = client.connectSentinel()) {
                    // A failover needs a majority of the sentinels, which find each other through the primary.
                    if (!"2".equals(sentinel.sync().master(MASTER_ID).get("num-other-sentinels"))) {
                        return false;
                    }
                    var replicas = sentinel.sync().replicas(MASTER_ID);
                    boolean seesReplica = replicas.stream().anyMatch(replica -> String.valueOf(replicaPort).equals(replica.get("port"))
                            && !replica.getOrDefault("flags", "").contains("down")
                            && "ok".equals(replica.get("master-link-status")));
                    if (!seesReplica) {
                        return false;
                    }
                }
            }
            return true;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
