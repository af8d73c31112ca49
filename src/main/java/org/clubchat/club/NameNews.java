package org.clubchat.club;

import java.time.InstantSource;
import java.util.List;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;

/**
 * How a club tells its members whose names come and go (docs/protocol.md, "Large clubs"): a
 * {@code presence} while the club is within its presence limit; above it, a {@code count} at most once a
 * second; and one {@code count} at once when it shrinks back to the limit, before presence resumes.
 *
 * <p>Not thread-safe: the owning {@link Club}'s lock guards it. A count that is due later is sent through
 * {@code sendLater}, which takes that lock and calls {@link #sendDue}.
 */
final class NameNews {
    private final String clubId;
    private final Roster members;
    private final ProtocolCodec codec;
    private final InstantSource clock;
    private final PresenceLimit limit;
    private final Runnable sendLater;
    /** When the members last got a {@code count}, epoch milliseconds. */
    private long countSentMillis;
    /** Whether the next {@code count} is waiting for its second to come. */
    private boolean countDue;

    NameNews(String clubId, Roster members, ProtocolCodec codec, InstantSource clock, PresenceLimit limit, Runnable sendLater) {
        this.clubId = clubId;
        this.members = members;
        this.codec = codec;
        this.clock = clock;
        this.limit = limit;
        this.sendLater = sendLater;
    }

    /** The names a joiner's {@code joined} lists: all of them, or in a large club the first ones, as many as the limit. */
    List<String> listed() {
        return members.names(null, limit.names());
    }

    /** {@code who}'s name came to the club or left it. */
    void changed(Member who, ServerMessage.Presence.Event event) {
        int distinct = members.distinct();
        boolean wasLarge = limit.isLarge(event == ServerMessage.Presence.Event.JOIN ? distinct - 1 : distinct + 1);
        if (limit.isLarge(distinct)) {
            countChanged();
        } else if (wasLarge) {
            countDue = false;
            sendCount();
        } else {
            members.offerToOthers(who, codec.frame(new ServerMessage.Presence(clubId, event, who.name())));
        }
    }

    /** Sends the count that was due, unless the club went back to presence meanwhile. */
    void sendDue() {
        if (countDue) {
            countDue = false;
            sendCount();
        }
    }

    /** A large club's count moved: sent now if the last one is a second old, else once it is. */
    private void countChanged() {
        if (countDue) {
            return;
        }
        long wait = countSentMillis + PresenceLimit.COUNT_EVERY.toMillis() - clock.millis();
        if (wait <= 0) {
            sendCount();
            return;
        }
        countDue = true;
        limit.later().run(sendLater, wait);
    }

    private void sendCount() {
        countSentMillis = clock.millis();
        members.offerToOthers(null, codec.frame(new ServerMessage.Count(clubId, members.distinct())));
    }
}
