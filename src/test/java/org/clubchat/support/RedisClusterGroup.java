package org.clubchat.support;

import io.lettuce.core.KillArgs;
import io.lettuce.core.MigrateArgs;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of three primaries (Debian's redis-server, {@code --cluster-enabled yes}), each with a
 * replica when asked, on loopback ports whose cluster bus ports (port + 10000) are free too, keeping
 * nothing on disk but each node's cluster configuration. {@code cluster-node-timeout} is 2 s, so that a
 * killed primary's replica takes over within seconds.
 */
public final class RedisClusterGroup implements RedisTopology {
    private static final Path REDIS_SERVER = Path.of("/usr/bin/redis-server");
    private static final Path REDIS_CLI = Path.of("/usr/bin/redis-cli");
    private static final int NODE_TIMEOUT_MS = 2000;

    private final Path dir;
    private final Map<Integer, Process> nodes = new LinkedHashMap<>();

    private RedisClusterGroup(Path dir) {
        this.dir = dir;
    }

    /** Starts three primaries ({@code replicas} 1: and a replica of each) and waits until every slot is served. */
    public static RedisClusterGroup start(int replicas) throws IOException, InterruptedException {
        if (!Files.isExecutable(REDIS_SERVER) || !Files.isExecutable(REDIS_CLI)) {
            throw new IllegalStateException("the Redis Cluster tests need Debian's redis-server: sudo apt-get install redis-server");
        }
        RedisClusterGroup group = new RedisClusterGroup(Files.createTempDirectory("clubchat-cluster"));
        try {
            for (int i = 0; i < 3 * (1 + replicas); i++) {
                group.node(clusterPort());
            }
            List<String> create = new ArrayList<>(List.of(REDIS_CLI.toString(), "--cluster", "create"));
            group.nodes.keySet().forEach(port -> create.add("127.0.0.1:" + port));
            create.addAll(List.of("--cluster-replicas", String.valueOf(replicas), "--cluster-yes"));
            Process creating = new ProcessBuilder(create).redirectErrorStream(true)
                    .redirectOutput(group.dir.resolve("create.log").toFile()).start();
            if (!creating.waitFor(60, TimeUnit.SECONDS) || creating.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + Files.readString(group.dir.resolve("create.log")));
            }
            Await.until(Duration.ofSeconds(30), group::allSlotsServed, () -> "every slot served, in " + group.dir);
        } catch (IOException | RuntimeException | InterruptedException e) {
            group.close();
            throw e;
        }
        return group;
    }

    /** A free port at most 55535 whose cluster bus port (+ 10000) is free too. */
    private static int clusterPort() throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 45_000);
            try (ServerSocket client = new ServerSocket(port); ServerSocket bus = new ServerSocket(port + 10_000)) {
                return port;
            } catch (IOException taken) {
                // another one
            }
        }
        throw new IOException("no free port pair for a cluster node");
    }

    @Override
    public String uri() {
        return "redis-cluster://" + nodes.keySet().stream().limit(3).map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /** Shard channels: each node of the cluster that is not down counts the subscribers connected to it. */
    @Override
    public long subscribers(String channel) {
        try (RedisClusterClient client = client(); var connection = client.connect()) {
            return client.getPartitions().stream().filter(node -> !node.is(RedisClusterNode.NodeFlag.FAIL)
                    && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)).mapToLong(node -> connection.getConnection(node.getNodeId())
                            .sync().pubsubShardNumsub(channel).getOrDefault(channel, 0L)).sum();
        }
    }

    @Override
    public List<String> keys(String pattern) {
        try (RedisClusterClient client = client(); var connection = client.connect()) {
            return connection.sync().keys(pattern);
        }
    }

    @Override
    public void killPubSub() {
        try (RedisClusterClient client = client(); var connection = client.connect()) {
            client.getPartitions().stream().filter(node -> !node.is(RedisClusterNode.NodeFlag.FAIL))
                    .forEach(node -> connection.getConnection(node.getNodeId()).sync().clientKill(KillArgs.Builder.typePubsub()));
        }
    }

    /** A client of the cluster, for a test to look into Redis. */
    public RedisClusterClient client() {
        return RedisClusterClient.create(nodes.keySet().stream().map(port -> RedisURI.create("127.0.0.1", port)).toList());
    }

    /** The port of the primary that holds {@code key}'s slot now. */
    public int primaryOf(String key) {
        try (RedisClusterClient client = client()) {
            int slot = SlotHash.getSlot(key);
            return client.getPartitions().getPartitionBySlot(slot).getUri().getPort();
        }
    }

    /**
     * Moves the slot of {@code key}, with its keys, to another primary (the resharding steps
     * {@code redis-cli --cluster reshard} takes for each slot); the port of the primary that holds it now.
     */
    public int moveSlotOf(String key) {
        int slot = SlotHash.getSlot(key);
        try (RedisClusterClient client = client(); var connection = client.connect()) {
            List<RedisClusterNode> primaries = client.getPartitions().stream()
                    .filter(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM)).toList();
            RedisClusterNode source = client.getPartitions().getPartitionBySlot(slot);
            RedisClusterNode target = primaries.stream().filter(node -> !node.getNodeId().equals(source.getNodeId())).findFirst().orElseThrow();
            var from = connection.getConnection(source.getNodeId()).sync();
            var to = connection.getConnection(target.getNodeId()).sync();
            to.clusterSetSlotImporting(slot, source.getNodeId());
            from.clusterSetSlotMigrating(slot, target.getNodeId());
            for (List<String> keys = from.clusterGetKeysInSlot(slot, 100); !keys.isEmpty(); keys = from.clusterGetKeysInSlot(slot, 100)) {
                from.migrate(target.getUri().getHost(), target.getUri().getPort(), 0, 5000, MigrateArgs.Builder.keys(keys));
            }
            for (RedisClusterNode primary : primaries) {
                connection.getConnection(primary.getNodeId()).sync().clusterSetSlotNode(slot, target.getNodeId());
            }
            return target.getUri().getPort();
        }
    }

    /** Kills the node on {@code port} hard (SIGKILL). */
    public void kill(int port) throws InterruptedException {
        nodes.get(port).destroyForcibly().waitFor();
    }

    /** Waits until the slot of {@code key} is held by a primary on another port than {@code before}. */
    public void awaitFailover(String key, int before, Duration within) {
        Await.until(within, () -> {
            try {
                return primaryOf(key) != before;
            } catch (RuntimeException notYet) {
                return false;
            }
        }, () -> "a replica took over the slot of " + key + " from port " + before);
    }

    private void node(int port) throws IOException {
        startNode(port);
        Await.until(Duration.ofSeconds(10), () -> RedisProcess.answersPing(port), () -> "redis-server answers PING on port " + port);
    }

    private void startNode(int port) throws IOException {
        Path home = Files.createDirectories(dir.resolve(String.valueOf(port)));
        Process process = new ProcessBuilder(REDIS_SERVER.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", home.toString(), "--cluster-enabled", "yes",
                "--cluster-config-file", home.resolve("nodes.conf").toString(), "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MS))
                .redirectErrorStream(true).redirectOutput(home.resolve("redis.log").toFile()).start();
        nodes.put(port, process);
    }

    private boolean allSlotsServed() {
        try (RedisClusterClient client = client(); var connection = client.connect()) {
            return connection.sync().clusterInfo().contains("cluster_state:ok")
                    && client.getPartitions().stream().filter(node -> node.is(RedisClusterNode.NodeFlag.UPSTREAM))
                            .mapToInt(node -> node.getSlots().size()).sum() == SlotHash.SLOT_COUNT;
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    @Override
    public void close() {
        for (Process process : nodes.values()) {
            process.destroy();
        }
        for (Process process : nodes.values()) {
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
