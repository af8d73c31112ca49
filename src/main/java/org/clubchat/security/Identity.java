package org.clubchat.security;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Who a connection is and what it may do: in open mode a name and nothing else; in token mode what the
 * token says.
 *
 * @param sender    who sends, for exactly-once keys (docs/protocol.md): the token's {@code sub}, or the
 *                  name in open mode
 * @param clubs     the clubs the token allows; empty when any club is allowed
 * @param expiresAt when the connection must be closed with 1008 (the token's {@code exp} plus the skew)
 */
public record Identity(String name, String sender, Optional<Set<String>> clubs, Optional<Instant> expiresAt) {
    public Identity {
        clubs = clubs.map(Set::copyOf);
    }

    public static Identity named(String name) {
        return new Identity(name, name, Optional.empty(), Optional.empty());
    }

    public boolean mayUse(String clubId) {
        return clubs.map(allowed -> allowed.contains(clubId)).orElse(true);
    }
}
