package org.clubchat.socketio;

import static org.clubchat.protocol.JsonP.PROVIDER;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.stream.JsonGenerator;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ServerMessage;

/**
 * Events: the gateway's frames for one socket.io client as socket.io packets, as docs/protocol.md's
 * "socket.io clients" maps them: acks for the replies, events for the rest, each event with the client's
 * recovery offset (its place in every club) as its last argument; the first frame, {@code welcome}, is the
 * CONNECT, unless a {@link ChatRecovery} holds the frames until it knows which CONNECT to send.
 *
 * <p>Used on the transport side only, one send at a time (the outbox's promise): {@code positions} and
 * {@code recovery} need no lock. {@code connected} and {@code offsetBytes} are volatile, for the closes
 * and offers that read them on other threads. {@code joinsSince} is the concurrent map its
 * {@link ChatSocket} shares.
 */
final class ChatEvents {
    /** What an offset adds around itself in an event: the comma and the quotes. */
    private static final int OFFSET_FRAMING = 3;
    /** A chat event up to its last argument, the offset, which differs per client; made once per message. */
    private static final Frame.Encoding<String> CHAT_EVENT = ChatEvents::chatEventHead;

    private final NamespaceSocket socket;
    private final Map<String, Long> joinsSince;
    /** Takes the client out of a club without an answer it would see: undoing a failed recovery's joins. */
    private final BiConsumer<String, String> leave;
    private final Map<String, Offsets.Position> positions = new LinkedHashMap<>();
    private ChatRecovery recovery;
    private volatile boolean connected;
    /** The size of the last offset written, read by offers on any thread. */
    private volatile int offsetBytes;

    /**
     * @param joinsSince the {@code since} of each join under way, by club
     * @param leave      leaves a club (its id) on the client's behalf, the answer carrying a request id
     * @param recovery   the recovery the client asked for, or null
     */
    ChatEvents(NamespaceSocket socket, Map<String, Long> joinsSince, BiConsumer<String, String> leave, ChatRecovery recovery) {
        this.socket = socket;
        this.joinsSince = joinsSince;
        this.leave = leave;
        this.recovery = recovery;
    }

    /** Whether the client has had its CONNECT: a close after it is a disconnect, before it a CONNECT_ERROR. */
    boolean connected() {
        return connected;
    }

    /** The bytes an event's offset adds, as it stands; see {@link ChatSocket#overheadBytes}. */
    int offsetBytes() {
        return offsetBytes;
    }

    /** The frame's packets, if it has any for this client. */
    void translate(Frame frame, List<String> packets) {
        ServerMessage message = frame.message();
        String id = frame.requestId();
        if (recovery != null) {
            if (!(message instanceof ServerMessage.Welcome)) {
                recovery.hold(frame);
            }
            if (recovery.isAnswered()) {
                endRecovery(packets);
            }
            return;
        }
        if (message instanceof ServerMessage.Welcome) {
            packets.add(connectPacket(socket.id(), freshPid()));
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
        } else if (message instanceof ServerMessage.Deleted deleted) {
            JsonObject fields = PROVIDER.createObjectBuilder().add("clubId", deleted.clubId()).add("seq", deleted.seq()).build();
            Offsets.Position position = positions.get(deleted.clubId());
            if (id != null) {
                ack(packets, id, fields);
            } else if (position != null) {
                // In a replay it holds its seq in place of the message: the offset moves past it.
                positions.put(deleted.clubId(), position.at(Math.max(position.seq(), deleted.seq())));
                packets.add(event("deleted", fields));
            }
        } else if (message instanceof ServerMessage.Ack ack) {
            ack(packets, id, PROVIDER.createObjectBuilder().add("clubId", ack.clubId()).add("seq", ack.seq())
                    .add("duplicate", ack.duplicate()).build());
        } else if (message instanceof ServerMessage.History history) {
            JsonArrayBuilder messages = PROVIDER.createArrayBuilder();
            for (ServerMessage.Numbered held : history.messages()) {
                JsonObjectBuilder item = PROVIDER.createObjectBuilder().add("seq", held.seq());
                if (held instanceof ServerMessage.Chat chat) {
                    item.add("from", chat.from()).add("message", chat.message()).add("ts", chat.ts());
                } else {
                    item.add("deleted", true);
                }
                messages.add(item);
            }
            ack(packets, id, PROVIDER.createObjectBuilder().add("clubId", history.clubId()).add("messages", messages)
                    .add("more", history.more()).build());
        } else if (message instanceof ServerMessage.Members members) {
            ack(packets, id, PROVIDER.createObjectBuilder().add("clubId", members.clubId())
                    .add("names", PROVIDER.createArrayBuilder(members.names())).add("count", members.count())
                    .add("more", members.more()).build());
        } else if (message instanceof ServerMessage.Count count) {
            if (positions.containsKey(count.clubId())) {
                packets.add(event("count", PROVIDER.createObjectBuilder().add("clubId", count.clubId()).add("count", count.count()).build()));
            }
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
            JsonObjectBuilder details = PROVIDER.createObjectBuilder().add("code", error.code().wireName())
                    .add("message", error.message());
            if (error.retryAfter() != null) {
                details.add("retryAfter", error.retryAfter());
            }
            if (id == null) {
                packets.add(event("exception", PROVIDER.createObjectBuilder().add("status", "error").addAll(details).build()));
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

    /** Every club has answered: the client learns whether it recovered, then gets what was held. */
    private void endRecovery(List<String> packets) {
        ChatRecovery ended = recovery;
        recovery = null;
        if (ended.failed()) {
            // As socket.io does: a session that cannot be recovered starts afresh, in no club.
            for (Frame held : ended.held()) {
                if (held.message() instanceof ServerMessage.Joined joined) {
                    leave.accept(joined.clubId(), ChatRecovery.OWN);
                }
            }
            joinsSince.clear();
            packets.add(connectPacket(socket.id(), freshPid()));
            connected = true;
            return;
        }
        packets.add(connectPacket(ended.socketId(socket.id()), ended.pid()));
        connected = true;
        ended.held().forEach(held -> translate(held, packets));
    }

    /** The socket's id, then a random part, so that a recovery can give the socket its id back. */
    private String freshPid() {
        return socket.id() + "." + socket.newId();
    }

    /** The client's offset as it stands, noting its size for {@link #offsetBytes}. */
    private String offset() {
        String offset = Offsets.encode(positions);
        offsetBytes = offset.length() + OFFSET_FRAMING;
        return offset;
    }

    private static void ack(List<String> packets, String id, JsonObject answer) {
        if (id == null || id.startsWith(ChatRecovery.OWN)) {
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

    private String connectPacket(String sid, String pid) {
        return new SocketPacket.Connect(socket.namespace(), PROVIDER.createObjectBuilder().add("sid", sid).add("pid", pid).build())
                .encode();
    }

    private static JsonObject joinedObject(ServerMessage.Joined joined) {
        JsonArrayBuilder members = PROVIDER.createArrayBuilder();
        joined.members().forEach(members::add);
        JsonObjectBuilder fields = PROVIDER.createObjectBuilder().add("clubId", joined.clubId()).add("members", members)
                .add("seq", joined.seq()).add("epoch", joined.epoch());
        if (joined.recovered() != null) {
            fields.add("recovered", joined.recovered());
        }
        fields.add("firstSeq", joined.firstSeq()).add("count", joined.count());
        if (joined.replayFrom() != null) {
            fields.add("replayFrom", joined.replayFrom());
        }
        return fields.build();
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
}
