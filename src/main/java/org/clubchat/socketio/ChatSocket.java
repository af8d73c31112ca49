package org.clubchat.socketio;

import static org.clubchat.protocol.JsonP.PROVIDER;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.clubchat.delivery.Close;
import org.clubchat.delivery.Closes;
import org.clubchat.delivery.Transport;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.service.Connection;
import org.clubchat.service.Gateway;

/**
 * One socket.io client in the main namespace: its events become club-chat messages for the
 * {@link Gateway}, and the gateway's frames go back as socket.io events and acks ({@link ChatEvents}, the
 * {@link Transport} side), after a recovery ({@link ChatRecovery}) when the client asks for one.
 *
 * <p>The event side runs on the adapters' threads, one packet at a time; {@code connection} and
 * {@code early} are guarded by {@code this}, because a client may send its first event before
 * {@link #opened} has run. {@code closedWith} is volatile because closes are decided on other threads.
 * {@code joinsSince} is a concurrent map shared with the transport side.
 */
final class ChatSocket implements Namespace.Client, Transport {
    private static final Set<String> EVENTS = Set.of("join", "leave", "chat", "history", "delete", "members", "auth");
    private static final int BATCH_BYTES = 64 * 1024;
    private static final Set<Close> TOLD = Set.of(Closes.DISCONNECTED, Closes.FLOODING, Closes.BINARY_FRAME,
            Closes.PROTOCOL_ERROR, Closes.TOO_BIG, Closes.HANDSHAKE_REFUSED);

    private final NamespaceSocket socket;
    private final Gateway gateway;
    private final ProtocolCodec codec;
    private Connection connection;
    private final List<Runnable> early = new ArrayList<>();
    private final Map<String, Long> joinsSince = new ConcurrentHashMap<>();
    private final ChatEvents events;
    private volatile Close closedWith;

    /**
     * @param pid       the session id the client recovers, or null
     * @param positions where it stood in each club, when it recovers
     */
    ChatSocket(NamespaceSocket socket, Gateway gateway, ProtocolCodec codec, String pid, Map<String, Offsets.Position> positions) {
        this.socket = socket;
        this.gateway = gateway;
        this.codec = codec;
        ChatRecovery recovery = null;
        if (pid != null) {
            recovery = new ChatRecovery(pid, positions);
            positions.forEach((club, position) -> joinsSince.put(club, position.seq()));
            List<DecodeResult> joins = ChatRecovery.joins(positions);
            early.add(() -> joins.forEach(join -> gateway.received(connection, join)));
        }
        this.events = new ChatEvents(socket, joinsSince, (club, requestId) -> gateway.leave(admitted(), club, requestId), recovery);
    }

    /** The gateway has admitted the connection: events that came first, and the recovery's joins, go now. */
    void opened(Connection admitted) {
        List<Runnable> waiting;
        synchronized (this) {
            connection = admitted;
            waiting = List.copyOf(early);
            early.clear();
        }
        waiting.forEach(Runnable::run);
    }

    // ---- events from the client

    @Override
    public void event(JsonArray data, Long ackId, List<byte[]> attachments) {
        Runnable handling = () -> handle(data, ackId);
        synchronized (this) {
            if (connection == null) {
                early.add(handling);
                return;
            }
        }
        handling.run();
    }

    private void handle(JsonArray data, Long ackId) {
        String name = data.getString(0);
        String requestId = ackId == null ? null : ackId.toString();
        DecodeResult result;
        if (!EVENTS.contains(name)) {
            result = new DecodeResult.Rejected(ErrorCode.UNKNOWN_TYPE, "unknown event: " + abbreviate(name), requestId);
        } else if (data.size() < 2 || !(data.get(1) instanceof JsonObject payload)) {
            result = new DecodeResult.Rejected(ErrorCode.BAD_REQUEST, name + " takes an object as its argument", requestId);
        } else {
            JsonObjectBuilder message = PROVIDER.createObjectBuilder(payload).add("type", name);
            if (requestId == null) {
                message.remove("id");
            } else {
                message.add("id", requestId);
            }
            result = codec.decode(message.build());
        }
        if (result instanceof DecodeResult.Decoded decoded && decoded.inbound().body() instanceof ClientMessage.Join join
                && join.since().isPresent()) {
            joinsSince.put(join.clubId(), join.since().getAsLong());
        }
        gateway.received(connection, result);
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "…";
    }

    private synchronized Connection admitted() {
        return connection;
    }

    /** An event with binary attachments: chat is text, so the connection ends as a native one sending binary does (1003). */
    @Override
    public boolean attachmentsRefused() {
        Connection admitted = admitted();
        if (admitted == null) {
            return false;
        }
        gateway.binaryReceived(admitted);
        return true;
    }

    @Override
    public void heard() {
        Connection admitted = admitted();
        if (admitted != null) {
            gateway.heard(admitted);
        }
    }

    @Override
    public void disconnected(boolean byClient) {
        Connection admitted;
        synchronized (this) {
            admitted = connection;
            early.clear();
        }
        if (admitted != null) {
            Close close = closedWith;
            gateway.closed(admitted, close != null ? close.code() : byClient ? 1000 : 1006);
        }
    }

    // ---- frames to the client

    @Override
    public String protocol() {
        return SOCKET_IO;
    }

    @Override
    public int batchBytes() {
        return BATCH_BYTES;
    }

    /**
     * The recovery offset every event carries: it names the client's place in each of its clubs, so it
     * grows with them (at most {@code clubs.max}); the outbox counts it with every queued frame.
     */
    @Override
    public int overheadBytes() {
        return events.offsetBytes();
    }

    @Override
    public boolean sendsBlock() {
        return true;
    }

    @Override
    public void send(List<Frame> frames, Consumer<Throwable> done) {
        List<String> packets = new ArrayList<>();
        frames.forEach(frame -> events.translate(frame, packets));
        if (packets.isEmpty()) {
            done.accept(null);
        } else {
            socket.send(packets, done, true);
        }
    }

    /**
     * The keep-alive asks after a quiet connection: Engine.IO pings the client itself and ends the session
     * when a pong is late, so a session still open is alive, whatever the native idle timeout says.
     */
    @Override
    public void ping() {
        heard();
    }

    @Override
    public void close(Close reason) {
        closedWith = reason;
        if (!events.connected()) {
            socket.refuse(PROVIDER.createObjectBuilder().add("message", reason.reason()).build());
            socket.endConnection();
        } else if (TOLD.contains(reason)) {
            socket.disconnect();
        } else {
            socket.dropConnection();
        }
    }
}
