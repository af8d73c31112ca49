package org.clubchat.club;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.Names;

/**
 * Who is in a club: its members by connection, and how many connections carry each name (a name is
 * present while one of them is). Not thread-safe: the owning {@link Club}'s lock guards it.
 */
final class Roster {
    private final Map<String, Member> members = new HashMap<>();
    /** How many of the club's connections carry each name; its keys are the distinct, sorted names. */
    private final TreeMap<String, Integer> connectionsByName = new TreeMap<>(Names.CODE_POINT_ORDER);

    /** @return whether the member's name is new to the club (false too when the member was there already) */
    boolean add(Member member) {
        Member present = members.putIfAbsent(member.connectionId(), member);
        return present == null && connectionsByName.merge(member.name(), 1, Integer::sum) == 1;
    }

    /** The member of this connection, or null. */
    Member get(String connectionId) {
        return members.get(connectionId);
    }

    /**
     * Takes the connection's member out.
     *
     * @return the member, whose name left the club if {@link #has} no longer finds it
     * @throws IllegalStateException when the connection is not a member
     */
    Member remove(String connectionId) {
        Member gone = members.remove(connectionId);
        if (gone == null) {
            throw new IllegalStateException(connectionId + " is not a member");
        }
        if (connectionsByName.merge(gone.name(), -1, Integer::sum) == 0) {
            connectionsByName.remove(gone.name());
        }
        return gone;
    }

    boolean has(String name) {
        return connectionsByName.containsKey(name);
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    /** The distinct names, in code point order. */
    List<String> names() {
        return List.copyOf(connectionsByName.keySet());
    }

    /** How many distinct names. */
    int distinct() {
        return connectionsByName.size();
    }

    /** At most {@code limit} of the distinct names after {@code after} (from the first when null), in code point order. */
    List<String> names(String after, int limit) {
        Map<String, Integer> from = after == null ? connectionsByName : connectionsByName.tailMap(after, false);
        List<String> names = new ArrayList<>(Math.min(limit, from.size()));
        for (String name : from.keySet()) {
            if (names.size() == limit) {
                break;
            }
            names.add(name);
        }
        return names;
    }

    /** Whether there are names after {@code last}. */
    boolean hasAfter(String last) {
        return connectionsByName.higherKey(last) != null;
    }

    /** Offers the frame to every member but {@code except} (null for none; compared by identity); returns how many. */
    int offerToOthers(Member except, Frame frame) {
        int offered = 0;
        for (Member other : members.values()) {
            if (other != except) {
                other.delivery().offer(frame);
                offered++;
            }
        }
        return offered;
    }

    Iterable<Member> all() {
        return members.values();
    }
}
