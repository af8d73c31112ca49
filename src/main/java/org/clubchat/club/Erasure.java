package org.clubchat.club;

import java.util.Objects;

/**
 * Whose messages an operator erases: every message of one sender (the token's {@code sub}, or the name in
 * open mode), or every message under one name, in every club.
 */
public record Erasure(String sub, String name) {
    public Erasure {
        if ((sub == null) == (name == null)) {
            throw new IllegalArgumentException("exactly one of sub and name");
        }
    }

    public static Erasure ofSub(String sub) {
        return new Erasure(Objects.requireNonNull(sub, "sub"), null);
    }

    public static Erasure ofName(String name) {
        return new Erasure(null, Objects.requireNonNull(name, "name"));
    }

    /** Whether a message sent by {@code sender} under the name {@code from} is one to erase. */
    public boolean matches(String sender, String from) {
        return sub != null ? sub.equals(sender) : name.equals(from);
    }
}
