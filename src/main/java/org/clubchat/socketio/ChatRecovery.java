package org.clubchat.socketio;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.Inbound;
import org.clubchat.protocol.ServerMessage;

/**
 * Recovery: a client that reconnects with socket.io's {@code pid} and offset joins each club of its offset
 * again with {@code since}, and what the server sends meanwhile is held until every club has answered.
 * Then the client learns in its CONNECT whether it recovered (every club replayed all it missed); if it
 * did, the held frames follow, and if not, it starts afresh in no club, as socket.io does.
 *
 * <p>Used on the transport side of its {@link ChatSocket} only, one send at a time: no lock.
 */
final class ChatRecovery {
    /** Requests made on the client's behalf, told apart from socket.io's ack ids, which are digits. */
    static final String OWN = "~";

    private final String pid;
    private final Set<String> unanswered;
    private final List<Frame> held = new ArrayList<>();
    private boolean failed;

    /** @param positions where the client stood in each club, as its offset says */
    ChatRecovery(String pid, Map<String, Offsets.Position> positions) {
        this.pid = pid;
        this.unanswered = new HashSet<>(positions.keySet());
    }

    /** The joins that take the client back into its clubs, each replaying what it missed. */
    static List<DecodeResult> joins(Map<String, Offsets.Position> positions) {
        List<DecodeResult> joins = new ArrayList<>();
        positions.forEach((club, position) -> joins.add(new DecodeResult.Decoded(
                new Inbound(OWN, new ClientMessage.Join(club, OptionalLong.of(position.seq()), position.epoch())))));
        return joins;
    }

    /** Keeps a frame until the recovery ends, noting the answers to its joins. */
    void hold(Frame frame) {
        held.add(frame);
        if (OWN.equals(frame.requestId())) {
            if (frame.message() instanceof ServerMessage.Joined joined) {
                unanswered.remove(joined.clubId());
                failed |= !Boolean.TRUE.equals(joined.recovered());
            } else if (frame.message() instanceof ServerMessage.Error) {
                // An error names no club; the first unanswered one stands for it, and the recovery fails anyway.
                unanswered.stream().findFirst().ifPresent(unanswered::remove);
                failed = true;
            }
        }
    }

    /** Every club has answered. */
    boolean isAnswered() {
        return unanswered.isEmpty();
    }

    boolean failed() {
        return failed;
    }

    List<Frame> held() {
        return held;
    }

    /** The pid the client recovers with. */
    String pid() {
        return pid;
    }

    /** The socket's id back, as socket.io gives a recovered socket: the pid begins with it (see {@link ChatEvents}). */
    String socketId(String fallback) {
        int dot = pid.indexOf('.');
        return dot > 0 ? pid.substring(0, dot) : fallback;
    }
}
