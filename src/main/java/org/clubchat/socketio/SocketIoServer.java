package org.clubchat.socketio;

import static org.clubchat.protocol.JsonP.PROVIDER;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/**
 * Socket.IO 5 on Engine.IO sessions: the namespaces a client connects to, their events and acks, and
 * binary attachments put back together. What each namespace does is its {@link Namespace}'s business.
 */
public final class SocketIoServer implements EngineHandler.Factory {
    /** socket.io's default: a client that connects to no namespace within this is dropped. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(45);
    private static final JsonObject INVALID_NAMESPACE = PROVIDER.createObjectBuilder().add("message", "Invalid namespace").build();

    private final Map<String, Namespace> namespaces;
    private final Duration connectTimeout;

    public SocketIoServer(Map<String, Namespace> namespaces, Duration connectTimeout) {
        this.namespaces = Map.copyOf(namespaces);
        this.connectTimeout = connectTimeout;
    }

    @Override
    public EngineHandler open(EngineSession session) {
        return new Session(session);
    }

    /**
     * One client's Socket.IO state. The engine hands it one packet at a time; its close may come on
     * another thread, so {@code clients}, {@code waiting}, {@code attachments}, {@code attachedBytes} and
     * {@code connectTimer} are guarded by {@code this}.
     *
     * <p>Binary attachments are taken only for a namespace the client is in, up to the count its
     * {@link Namespace#maxAttachments} allows and the engine's {@code maxPayload} in bytes together; a
     * packet announcing more is refused before any attachment is kept.
     */
    private final class Session implements EngineHandler, EngineSession.Heard {
        private final EngineSession engine;
        private final Map<String, Namespace.Client> clients = new HashMap<>();
        /** A binary packet whose attachments are still coming, and those that came. */
        private SocketPacket.Binary waiting;
        private final List<byte[]> attachments = new ArrayList<>();
        private long attachedBytes;
        private final ScheduledFuture<?> connectTimer;

        Session(EngineSession engine) {
            this.engine = engine;
            this.connectTimer = engine.schedule(this::connectTimedOut, connectTimeout);
        }

        private synchronized void connectTimedOut() {
            if (clients.isEmpty()) {
                engine.close("no namespace connected in time");
            }
        }

        @Override
        public void text(String data) {
            SocketPacket.Decoded decoded = SocketPacket.decode(data);
            boolean valid;
            Namespace.Client refusing = null;
            synchronized (this) {
                if (waiting != null) {
                    valid = false;
                } else if (decoded instanceof SocketPacket.Binary binary) {
                    Namespace.Client client = clients.get(binary.packet().namespace());
                    valid = client != null && binary.attachments() <= namespaces.get(binary.packet().namespace()).maxAttachments();
                    if (valid) {
                        waiting = binary;
                    } else {
                        refusing = client;
                    }
                } else {
                    valid = decoded instanceof SocketPacket.Valid;
                }
            }
            if (refusing != null && refusing.attachmentsRefused()) {
                return;
            }
            if (!valid) {
                engine.close("invalid Socket.IO packet");
            } else if (decoded instanceof SocketPacket.Valid packet) {
                handle(packet.packet(), List.of());
            } else {
                completeBinary();
            }
        }

        @Override
        public void binary(byte[] data) {
            synchronized (this) {
                if (waiting == null || attachedBytes + data.length > engine.maxPayload()) {
                    engine.close(waiting == null ? "a binary message nothing waits for" : "attachments larger than maxPayload");
                    return;
                }
                attachments.add(data);
                attachedBytes += data.length;
            }
            completeBinary();
        }

        private void completeBinary() {
            SocketPacket packet;
            List<byte[]> complete;
            synchronized (this) {
                if (waiting == null || attachments.size() < waiting.attachments()) {
                    return;
                }
                packet = waiting.packet();
                complete = List.copyOf(attachments);
                waiting = null;
                attachments.clear();
                attachedBytes = 0;
            }
            handle(packet, complete);
        }

        private void handle(SocketPacket packet, List<byte[]> binaries) {
            Namespace.Client client;
            synchronized (this) {
                client = clients.get(packet.namespace());
            }
            if (client != null) {
                client.heard();
            }
            if (packet instanceof SocketPacket.Connect connect) {
                connect(connect);
            } else if (packet instanceof SocketPacket.Disconnect) {
                forget(packet.namespace(), true);
            } else if (packet instanceof SocketPacket.Event event && client != null) {
                client.event(event.data(), event.ackId(), binaries);
            } else if (packet instanceof SocketPacket.ConnectError) {
                engine.close("a client sent CONNECT_ERROR");
            }
            // An ACK answers an event of ours that asked for none, and an event outside a namespace is dropped.
        }

        private void connect(SocketPacket.Connect connect) {
            String name = connect.namespace();
            Namespace namespace = namespaces.get(name);
            if (namespace == null) {
                engine.send(List.of(new SocketPacket.ConnectError(name, INVALID_NAMESPACE).encode()), failure -> {
                }, false);
                return;
            }
            synchronized (this) {
                if (clients.containsKey(name)) {
                    return;
                }
            }
            NamespaceSocket socket = new NamespaceSocket(engine, name, engine.newId(), () -> forget(name, false));
            JsonObject auth = connect.auth() == null ? JsonObject.EMPTY_JSON_OBJECT : connect.auth();
            Namespace.Client client = namespace.connect(socket, auth);
            if (client != null) {
                synchronized (this) {
                    clients.put(name, client);
                    connectTimer.cancel(false);
                }
            }
        }

        /** Takes a client out of its namespace. */
        private void forget(String namespace, boolean byClient) {
            Namespace.Client client;
            synchronized (this) {
                client = clients.remove(namespace);
            }
            if (client != null) {
                client.disconnected(byClient);
            }
        }

        @Override
        public void heard() {
            List<Namespace.Client> all;
            synchronized (this) {
                all = List.copyOf(clients.values());
            }
            all.forEach(Namespace.Client::heard);
        }

        @Override
        public void closed(String reason) {
            List<Namespace.Client> all;
            synchronized (this) {
                connectTimer.cancel(false);
                all = List.copyOf(clients.values());
                clients.clear();
            }
            all.forEach(client -> client.disconnected(false));
        }
    }
}
