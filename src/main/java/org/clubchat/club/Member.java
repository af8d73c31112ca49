package org.clubchat.club;

import java.util.Objects;
import org.clubchat.delivery.Delivery;

/**
 * What a club knows of one connection: who it is and where its frames go.
 *
 * @param sender whose exactly-once keys its chats use (the token's {@code sub}, or the name in open mode)
 */
public record Member(String connectionId, String name, String sender, Delivery delivery) {
    public Member {
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(delivery, "delivery");
    }

    /** A member whose sender is its name, as in open mode. */
    public Member(String connectionId, String name, Delivery delivery) {
        this(connectionId, name, name, delivery);
    }
}
