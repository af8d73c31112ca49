package org.clubchat.it;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.JavaSocketIoScenarios;
import org.clubchat.support.Node;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestServer;
import org.clubchat.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Java socket.io client, unchanged, on the launcher with its default settings and in token mode. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SocketIoJavaClientIT {
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of());

    @Test
    void withDefaultTransportsItUpgradesAndChatsWithNativeClients() throws Exception {
        JavaSocketIoScenarios.chatsWithANativeClient(server);
    }

    @Test
    void overWebSocketOnlyItChatsWithNativeClients() throws Exception {
        JavaSocketIoScenarios.chatsWithANativeClient(server, "websocket");
    }

    @Test
    void overLongPollingOnlyItChatsWithNativeClients() throws Exception {
        JavaSocketIoScenarios.chatsWithANativeClient(server, "polling");
    }

    @Test
    void afterAReconnectItCatchesUpByJoiningWithSince() throws Exception {
        JavaSocketIoScenarios.catchesUpWithSinceAfterAReconnect(server);
    }

    @Test
    void inTokenModeItConnectsWithAGoodTokenOnly() throws Exception {
        try (ServerProcess tokens = Node.start("java-sio-tokens", Map.of("CLUBCHAT_TOKEN_SECRET", Tokens.SECRET))) {
            JavaSocketIoScenarios.connectsWithATokenOnly(tokens);
        }
    }
}
