package org.clubchat.club;

import java.util.List;

/**
 * A club as the HTTP API shows it.
 *
 * @param members the distinct names in the club, in code point order
 * @param seq     the club's last seq, 0 if none
 */
public record ClubView(String clubId, List<String> members, long seq, String epoch) {
    public ClubView {
        members = List.copyOf(members);
    }
}
