package org.clubchat.it;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Node;
import org.clubchat.support.RedisProcess;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.SocketIoClients;
import org.clubchat.support.TestServer;
import org.clubchat.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Unchanged socket.io clients on the launcher: the real socket.io client (src/test/js/socketio) against a
 * server on its default settings, a token-mode server, one with short pings, one for two connections with
 * the operations API, and two nodes sharing Redis for recovery on another node.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SocketIoIT {
    private static final String SMALL_KEY = "socket-io-small-key";
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of());

    @Test
    void socketIoClientsChatWithTheLauncher() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
                ServerProcess tokens = Node.start("sio-tokens", Map.of("CLUBCHAT_TOKEN_SECRET", Tokens.SECRET));
                ServerProcess pings = Node.start("sio-pings", Map.of("CLUBCHAT_SOCKETIO_PING_INTERVAL", "PT0.3S",
                        "CLUBCHAT_SOCKETIO_PING_TIMEOUT", "PT0.2S"));
                ServerProcess nodeA = Node.start("sio-node-a", Map.of("CLUBCHAT_REDIS_URI", redis.uri()));
                ServerProcess nodeB = Node.start("sio-node-b", Map.of("CLUBCHAT_REDIS_URI", redis.uri()));
                ServerProcess small = Node.start("sio-small", Map.of("CLUBCHAT_CONNECTIONS_MAX", "2", "CLUBCHAT_API_KEY", SMALL_KEY))) {
            Map<String, String> env = new HashMap<>();
            env.put("BASE", base(server.port()));
            env.put("NATIVE_URL", "ws://127.0.0.1:" + server.port() + "/chat");
            env.put("TOKEN_BASE", base(tokens.http("/").getPort()));
            env.put("TOKEN_SECRET", Tokens.SECRET);
            env.put("PING_BASE", base(pings.http("/").getPort()));
            env.put("SMALL_BASE", base(small.http("/").getPort()));
            env.put("SMALL_KEY", SMALL_KEY);
            SocketIoClients.run(env);
            // The cluster: the same tests against node A, with node B as the other node.
            SocketIoClients.run(Map.of("BASE", base(nodeA.http("/").getPort()), "OTHER_BASE", base(nodeB.http("/").getPort()),
                    "NATIVE_URL", "ws://127.0.0.1:" + nodeA.http("/").getPort() + "/chat"));
        }
    }

    private static String base(int port) {
        return "http://127.0.0.1:" + port;
    }
}
