package org.clubchat.socketio;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.clubchat.ClubChat;
import org.clubchat.Settings;
import org.clubchat.launcher.Launcher;
import org.clubchat.security.OriginPolicy;

/**
 * The launcher with the profile the official socket.io test suites expect (the {@code test-suite/}
 * folders of socketio/engine.io-protocol and socketio/socket.io-protocol), in the foreground on port
 * 3000: docs/socketio.md, "Conformance", runs them against it. The namespaces here are the suites' echo
 * servers, not club-chat's chat; what they check is club-chat's Engine.IO and Socket.IO layers.
 */
public final class ConformanceServer {
    static final EngineOptions OPTIONS = new EngineOptions(Duration.ofMillis(300), Duration.ofMillis(200), 1_000_000,
            EngineOptions.DEFAULT_UPGRADE_TIMEOUT, 1000);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);

    private ConformanceServer() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putIfAbsent("CLUBCHAT_PORT", "3000");
        env.putIfAbsent("CLUBCHAT_FRAME_MAX_BYTES", String.valueOf(OPTIONS.maxPayload()));
        env.putIfAbsent("CLUBCHAT_OUTBOX_MAX_BYTES", String.valueOf(4 * OPTIONS.maxPayload()));
        Launcher launcher = start(Settings.load(env, System.getProperties()));
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::close, "conformance-shutdown"));
        System.out.println("socket.io conformance profile on http://localhost:" + launcher.port() + "/socket.io/ and /engine.io/");
        Thread.currentThread().join();
    }

    static Launcher start(Settings settings) throws Exception {
        return Launcher.start(settings, app -> Map.of(
                "/socket.io/", new EngineServer(OPTIONS, new SocketIoServer(Map.of("/", ECHO, "/custom", ECHO), CONNECT_TIMEOUT),
                        anyOrigin(), app.timer(), app.blockingWriters()),
                "/engine.io/", new EngineServer(OPTIONS, ConformanceServer::engineEcho, anyOrigin(), app.timer(),
                        app.blockingWriters())));
    }

    private static OriginPolicy anyOrigin() {
        return new OriginPolicy(List.of());
    }

    /** The Engine.IO suite's server: every message back as it came. */
    private static EngineHandler engineEcho(EngineSession session) {
        return new EngineHandler() {
            @Override
            public void text(String data) {
                session.send(List.of(data), failure -> {
                }, false);
            }

            @Override
            public void binary(byte[] data) {
                session.sendBinary(data);
            }

            @Override
            public void closed(String reason) {
            }
        };
    }

    /**
     * The Socket.IO suite's namespaces: {@code auth} on connect, {@code message-back}, and acks with the
     * arguments, binary attachments included.
     */
    private static final Namespace ECHO = new Namespace() {
        @Override
        public int maxAttachments() {
            return 10;
        }

        @Override
        public Namespace.Client connect(NamespaceSocket socket, JsonObject auth) {
            return echo(socket, auth);
        }
    };

    private static Namespace.Client echo(NamespaceSocket socket, JsonObject auth) {
        socket.accept(JsonObject.EMPTY_JSON_OBJECT);
        socket.emit(Json.createArrayBuilder().add("auth").add(auth).build());
        return new Namespace.Client() {
            @Override
            public void event(JsonArray data, Long ackId, List<byte[]> attachments) {
                JsonArrayBuilder arguments = Json.createArrayBuilder();
                data.subList(1, data.size()).forEach(arguments::add);
                String name = data.getString(0);
                SocketPacket answer;
                if (name.equals("message")) {
                    answer = new SocketPacket.Event(socket.namespace(),
                            Json.createArrayBuilder().add("message-back").addAll(arguments).build(), null);
                } else if (name.equals("message-with-ack") && ackId != null) {
                    answer = new SocketPacket.Ack(socket.namespace(), arguments.build(), ackId);
                } else {
                    return;
                }
                if (attachments.isEmpty()) {
                    socket.send(List.of(answer.encode()), failure -> {
                    }, false);
                } else {
                    socket.sendBinary(answer, attachments);
                }
            }

            @Override
            public void disconnected(boolean byClient) {
            }
        };
    }
}
