package org.clubchat.security;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The origins a browser may open a connection from, against cross-site WebSocket hijacking: a page on
 * another site could otherwise connect with the user's cookies. An empty list allows any origin; a
 * handshake without an {@code Origin} header is not from a browser and is allowed.
 */
public final class OriginPolicy {
    private final Set<String> allowed;

    /** @param allowed serialized origins such as {@code https://chat.example.com}; compared case-insensitively */
    public OriginPolicy(List<String> allowed) {
        this.allowed = allowed.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** Whether any origin is allowed: no list was set. */
    public boolean allowsAny() {
        return allowed.isEmpty();
    }

    public boolean allows(String origin) {
        return allowed.isEmpty() || origin == null || allowed.contains(normalize(origin));
    }

    private static String normalize(String origin) {
        String trimmed = origin.trim().toLowerCase(Locale.ROOT);
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
