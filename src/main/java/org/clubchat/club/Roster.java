package org.clubchat.club;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.Names;

/**
 * Who is in a club: its members by connection, and how many connections carry each name (a name is
 * present while one of them is). Not thread-safe: the owning {@link Club}'s lock guards it.
 */
final class Roster implements NameNews.Audience {
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

    /** How many distinct names. */
    int distinct() {
        return connectionsByName.size();
    }

    @Override
    public NavigableSet<String> names() {
        return connectionsByName.navigableKeySet();
    }

    /** A name's presence goes to the members of other names: the only connection of a name that comes or goes is its own. */
    @Override
    public void offerToOthers(String except, Frame frame) {
        for (Member other : members.values()) {
            if (!other.name().equals(except)) {
                other.delivery().offer(frame);
            }
        }
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
