package org.clubchat.protocol;

import java.time.Duration;

/** The exactly-once key rule (docs/protocol.md, "Exactly-once sends"): 1–64 characters of Unicode text. */
public final class SendKeys {
    public static final int MAX_LENGTH = 64;
    /** What a {@code bad_request} says, wherever a key is refused. */
    public static final String RULE = "key must be a string of 1-64 characters";
    /** How long a key at least makes a resend a duplicate: the protocol's 10 minutes. */
    public static final Duration KEPT = Duration.ofMinutes(10);

    private SendKeys() {
    }

    public static boolean isValid(String key) {
        return !key.isEmpty() && Names.codePointLength(key) <= MAX_LENGTH && Names.isWellFormed(key);
    }
}
