package org.clubchat.club;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableSet;
import org.clubchat.protocol.ClientMessage;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;
import org.clubchat.protocol.Frame;

/**
 * How a club tells its members whose names come and go (docs/protocol.md, "Large clubs"): a
 * {@code presence} while the club is within its presence limit; above it, a {@code count} at most once a
 * second; and one {@code count} at once when it shrinks back to the limit, before presence resumes. Also
 * what a joiner's {@code joined} and a {@code members} request list of the names. The same in memory
 * mode ({@link Club}) and in Redis mode, where each node tells its own members from the club's names as
 * it follows them.
 *
 * <p>Not thread-safe: whatever guards the club's names guards it too (the {@link Club}'s lock; in Redis
 * mode, the store's events thread). A count that is due later is sent through {@code sendLater}, which
 * calls {@link #sendDue} under that same guard.
 */
public final class NameNews {
    /** The members that get the news, and the names they are told about. */
    public interface Audience {
        /** The club's distinct names, in code point order; read, never changed here. */
        NavigableSet<String> names();

        /** Offers the frame to every member not called {@code except} (to all when null). */
        void offerToOthers(String except, Frame frame);
    }

    private final String clubId;
    private final Audience audience;
    private final ProtocolCodec codec;
    private final InstantSource clock;
    private final PresenceLimit limit;
    private final Runnable sendLater;
    /** When the members last got a {@code count}, epoch milliseconds. */
    private long countSentMillis;
    /** Whether the next {@code count} is waiting for its second to come. */
    private boolean countDue;

    public NameNews(String clubId, Audience audience, ProtocolCodec codec, InstantSource clock, PresenceLimit limit,
            Runnable sendLater) {
        this.clubId = clubId;
        this.audience = audience;
        this.codec = codec;
        this.clock = clock;
        this.limit = limit;
        this.sendLater = sendLater;
    }

    /** The names a joiner's {@code joined} lists: all of them, or in a large club the first ones, as many as the limit. */
    public List<String> listed() {
        return page(null, limit.names());
    }

    /**
     * What {@code joined} lists for a joiner whose name the names may not hold yet (in Redis mode its own
     * presence event can come after the join's answer): as {@link #listed}, with the joiner among them.
     */
    public List<String> listedWith(String joiner) {
        List<String> listed = new ArrayList<>(listed());
        if (!audience.names().contains(joiner)) {
            int at = Collections.binarySearch(listed, joiner, audience.names().comparator());
            listed.add(-at - 1, joiner);
            if (listed.size() > limit.names()) {
                listed.remove(listed.size() - 1);
            }
        }
        return listed;
    }

    /** Answers {@code members}: a page of the names after {@code asked.after}, in code point order. */
    public ServerMessage.Members members(ClientMessage.Members asked) {
        List<String> names = page(asked.after(), asked.limit());
        boolean more = !names.isEmpty() && audience.names().higher(names.get(names.size() - 1)) != null;
        return new ServerMessage.Members(clubId, names, audience.names().size(), more);
    }

    private List<String> page(String after, int most) {
        NavigableSet<String> from = after == null ? audience.names() : audience.names().tailSet(after, false);
        List<String> names = new ArrayList<>(Math.min(most, from.size()));
        for (String name : from) {
            if (names.size() == most) {
                break;
            }
            names.add(name);
        }
        return names;
    }

    /** {@code name} came to the club or left it; the names already say so. */
    public void changed(String name, ServerMessage.Presence.Event event) {
        int distinct = audience.names().size();
        boolean wasLarge = limit.isLarge(event == ServerMessage.Presence.Event.JOIN ? distinct - 1 : distinct + 1);
        if (limit.isLarge(distinct)) {
            countChanged();
        } else if (wasLarge) {
            countDue = false;
            sendCount();
        } else {
            audience.offerToOthers(name, codec.frame(new ServerMessage.Presence(clubId, event, name)));
        }
    }

    /** Sends the count that was due, unless the club went back to presence meanwhile. */
    public void sendDue() {
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
        audience.offerToOthers(null, codec.frame(new ServerMessage.Count(clubId, audience.names().size())));
    }
}
