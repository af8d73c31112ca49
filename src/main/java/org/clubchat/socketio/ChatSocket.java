package org.clubchat.socketio;

import static org.clubchat.protocol.JsonP.PROVIDER;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.stream.JsonGenerator;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
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
import org.clubchat.protocol.Inbound;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;
import org.clubchat.service.Connection;
import org.clubchat.service.Gateway;

/**
 * One socket.io client in the main namespace: its events become club-chat messages for the
 * {@link Gateway}, and the gateway's frames become its events and acks (the {@link Transport} side).
 *
 * <p>The event side runs on the adapters' threads, one packet at a time; {@code connection} and
 * {@code early} are guarded by {@code this}, because a client may send its first event before
 * {@link #opened} has run. The transport side runs one send at a time (the outbox's promise), so
 * {@code positions}, {@code recovery} and {@code connected} need no lock there; {@code connected} and
 * {@code closedWith} are volatile because closes are decided on other threads. {@code joinsSince} is a
 * concurrent map shared by both sides.
 */
final class ChatSocket implements Namespace.Client, Transport {
    private static final Set<String> EVENTS = Set.of("join", "leave", "chat", "auth");
    /** Requests this class makes itself (recovery), told apart from socket.io's ack ids, which are digits. */
    private static final String OWN = "~";
    private static final int BATCH_BYTES = 64 * 1024;
    /** What an offset adds around itself in an event: the comma and the quotes. */
    private static final int OFFSET_FRAMING = 3;
    /** A chat event up to its last argument, the offset, which differs per client; made once per message. */
    private static final Frame.Encoding<String> CHAT_EVENT = ChatSocket::chatEventHead;
    private static final Set<Close> TOLD = Set.of(Closes.DISCONNECTED, Closes.FLOODING, Closes.BINARY_FRAME,
            Closes.PROTOCOL_ERROR, Closes.TOO_BIG, Closes.HANDSHAKE_REFUSED);

    private final NamespaceSocket socket;
    private final Gateway gateway;
    private final ProtocolCodec codec;
    private Connection connection;
    private final List<Runnable> early = new ArrayList<>();
    private final Map<String, Long> joinsSince = new ConcurrentHashMap<>();

    private final Map<String, Offsets.Position> positions = new LinkedHashMap<>();
    private Recovery recovery;
    private volatile boolean connected;
    /** The size of the last offset written: written by the transport side, read by offers on any thread. */
    private volatile int offsetBytes;
    private volatile Close closedWith;

    /** A recovery under way: the clubs asked for again, and what arrived meanwhile. */
    private static final class Recovery {
        final String pid;
        final Set<String> unanswered;
        final List<Frame> held = new ArrayList<>();
        boolean failed;

        Recovery(String pid, Set<String> clubs) {
            this.pid = pid;
            this.unanswered = new HashSet<>(clubs);
        }
    }

    /**
     * @param pid       the session id the client recovers, or null
     * @param positions where it stood in each club, when it recovers
     */
    ChatSocket(NamespaceSocket socket, Gateway gateway, ProtocolCodec codec, String pid, Map<String, Offsets.Position> positions) {
        this.socket = socket;
        this.gateway = gateway;
        this.codec = codec;
        if (pid != null) {
            recovery = new Recovery(pid, positions.keySet());
            positions.forEach((club, position) -> joinsSince.put(club, position.seq()));
            early.add(() -> positions.forEach((club, position) -> gateway.received(connection, new DecodeResult.Decoded(
                    new Inbound(OWN, new ClientMessage.Join(club, OptionalLong.of(position.seq()), position.epoch()))))));
        }
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
        Runnable handling = () -> handle(data, ackId, attachments);
        synchronized (this) {
            if (connection == null) {
                early.add(handling);
                return;
            }
        }
        handling.run();
    }

    private void handle(JsonArray data, Long ackId, List<byte[]> attachments) {
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
        return offsetBytes;
    }

    /** The client's offset as it stands, noting its size for {@link #overheadBytes}. On the transport side only. */
    private String offset() {
        String offset = Offsets.encode(positions);
        offsetBytes = offset.length() + OFFSET_FRAMING;
        return offset;
    }

    @Override
    public boolean sendsBlock() {
        return true;
    }

    @Override
    public void send(List<Frame> frames, Consumer<Throwable> done) {
        List<String> packets = new ArrayList<>();
        frames.forEach(frame -> translate(frame, packets));
        if (packets.isEmpty()) {
            done.accept(null);
        } else {
            socket.send(packets, done, true);
        }
    }

    private void translate(Frame frame, List<String> packets) {
        ServerMessage message = frame.message();
        String id = frame.requestId();
        if (recovery != null) {
            if (!(message instanceof ServerMessage.Welcome)) {
                hold(frame);
            }
            if (recovery.unanswered.isEmpty()) {
                endRecovery(packets);
            }
            return;
        }
        if (message instanceof ServerMessage.Welcome) {
            packets.add(connectPacket(socket.namespace(), socket.id(), freshPid()));
            connected = true;
        } else if (message instanceof ServerMessage.Joined joined) {
            positions.put(joined.clubId(), Offsets.Position.of(startOf(joined), joined.epoch()));
            ack(packets, id, joinedObject(joined));
        } else if (message instanceof ServerMessage.Chat chat) {
            Offsets.Position position = positions.get(chat.clubId());
            if (position != null) {
                positions.put(chat.clubId(), position.at(chat.seq()));
                packets.add(frame.encoded(CHAT_EVENT) + ",\"" + offset() + "\"]");
            }
        } else if (message instanceof ServerMessage.Ack ack) {
            ack(packets, id, PROVIDER.createObjectBuilder().add("clubId", ack.clubId()).add("seq", ack.seq())
                    .add("duplicate", ack.duplicate()).build());
        } else if (message instanceof ServerMessage.Presence presence) {
            if (positions.containsKey(presence.clubId())) {
                packets.add(event("presence", PROVIDER.createObjectBuilder().add("clubId", presence.clubId())
                        .add("event", presence.event().wireName()).add("name", presence.name()).build()));
            }
        } else if (message instanceof ServerMessage.Left left) {
            positions.remove(left.clubId());
            JsonObjectBuilder fields = PROVIDER.createObjectBuilder().add("clubId", left.clubId());
            if (id == null) {
                packets.add(event("left", fields.add("reason", left.reason() == null ? "" : left.reason()).build()));
            } else {
                ack(packets, id, fields.build());
            }
        } else if (message instanceof ServerMessage.Authed authed) {
            ack(packets, id, PROVIDER.createObjectBuilder().add("exp", authed.exp()).build());
        } else if (message instanceof ServerMessage.Error error) {
            JsonObject details = PROVIDER.createObjectBuilder().add("code", error.code().wireName()).add("message", error.message()).build();
            if (id == null) {
                packets.add(event("exception", PROVIDER.createObjectBuilder().add("status", "error").addAll(PROVIDER.createObjectBuilder(details)).build()));
            } else {
                ack(packets, id, PROVIDER.createObjectBuilder().add("error", details).build());
            }
        } else if (message instanceof ServerMessage.Pong) {
            ack(packets, id, null);
        }
    }

    /** Where a club's offset starts once joined: before the first message the join replays. */
    private long startOf(ServerMessage.Joined joined) {
        Long since = joinsSince.remove(joined.clubId());
        if (Boolean.TRUE.equals(joined.recovered()) && since != null) {
            return since;
        }
        return joined.recovered() != null ? joined.firstSeq() - 1 : joined.seq();
    }

    /** During a recovery: keeps the frame, and notes the recovery's answers. */
    private void hold(Frame frame) {
        Recovery pending = recovery;
        pending.held.add(frame);
        if (OWN.equals(frame.requestId())) {
            if (frame.message() instanceof ServerMessage.Joined joined) {
                pending.unanswered.remove(joined.clubId());
                pending.failed |= !Boolean.TRUE.equals(joined.recovered());
            } else if (frame.message() instanceof ServerMessage.Error) {
                // An error names no club; the first unanswered one stands for it, and the recovery fails anyway.
                pending.unanswered.stream().findFirst().ifPresent(pending.unanswered::remove);
                pending.failed = true;
            }
        }
    }

    /** Every club has answered: the client learns whether it recovered, then gets what was held. */
    private void endRecovery(List<String> packets) {
        Recovery pending = recovery;
        recovery = null;
        if (pending.failed) {
            // As socket.io does: a session that cannot be recovered starts afresh, in no club.
            for (Frame held : pending.held) {
                if (held.message() instanceof ServerMessage.Joined joined) {
                    gateway.leave(admitted(), joined.clubId(), OWN);
                }
            }
            joinsSince.clear();
            packets.add(connectPacket(socket.namespace(), socket.id(), freshPid()));
            connected = true;
            return;
        }
        // A recovered socket keeps its id, as socket.io's do: the pid begins with it (see freshPid).
        int dot = pending.pid.indexOf('.');
        packets.add(connectPacket(socket.namespace(), dot > 0 ? pending.pid.substring(0, dot) : socket.id(), pending.pid));
        connected = true;
        pending.held.forEach(held -> translate(held, packets));
    }

    /** The socket's id, then a random part, so that a recovery can give the socket its id back. */
    private String freshPid() {
        return socket.id() + "." + socket.newId();
    }

    private static void ack(List<String> packets, String id, JsonObject answer) {
        if (id == null || id.startsWith(OWN)) {
            return;
        }
        JsonArrayBuilder data = PROVIDER.createArrayBuilder();
        if (answer != null) {
            data.add(answer);
        }
        packets.add(new SocketPacket.Ack(SocketPacket.MAIN, data.build(), Long.parseLong(id)).encode());
    }

    /** An event of the main namespace, with the client's recovery offset as its last argument, as socket.io adds it. */
    private String event(String name, JsonObject argument) {
        JsonArray data = PROVIDER.createArrayBuilder().add(name).add(argument).add(offset()).build();
        return new SocketPacket.Event(SocketPacket.MAIN, data, null).encode();
    }

    private static String connectPacket(String namespace, String sid, String pid) {
        return new SocketPacket.Connect(namespace, PROVIDER.createObjectBuilder().add("sid", sid).add("pid", pid).build()).encode();
    }

    private static JsonObject joinedObject(ServerMessage.Joined joined) {
        JsonArrayBuilder members = PROVIDER.createArrayBuilder();
        joined.members().forEach(members::add);
        JsonObjectBuilder fields = PROVIDER.createObjectBuilder().add("clubId", joined.clubId()).add("members", members)
                .add("seq", joined.seq()).add("epoch", joined.epoch());
        if (joined.recovered() != null) {
            fields.add("recovered", joined.recovered());
        }
        return fields.add("firstSeq", joined.firstSeq()).build();
    }

    /**
     * {@code 2["chat",message,{clubId,from,seq,ts}} without the closing bracket: the message text first, as
     * the gateway sent it, then what club-chat adds. The offset and the bracket are added per client.
     */
    private static String chatEventHead(Frame frame) {
        ServerMessage.Chat chat = (ServerMessage.Chat) frame.message();
        StringWriter out = new StringWriter(frame.wireBytes() + 32);
        try (JsonGenerator json = PROVIDER.createGenerator(out)) {
            json.writeStartArray().write("chat").write(chat.message()).writeStartObject()
                    .write("clubId", chat.clubId()).write("from", chat.from()).write("seq", chat.seq()).write("ts", chat.ts())
                    .writeEnd().writeEnd();
        }
        String array = out.toString();
        return "2" + array.substring(0, array.length() - 1);
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
        if (!connected) {
            socket.refuse(PROVIDER.createObjectBuilder().add("message", reason.reason()).build());
            socket.endConnection();
        } else if (TOLD.contains(reason)) {
            socket.disconnect();
        } else {
            socket.dropConnection();
        }
    }
}
