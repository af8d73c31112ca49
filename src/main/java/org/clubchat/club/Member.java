package org.clubchat.club;

import java.util.Objects;
import org.clubchat.delivery.Delivery;

/** What a club knows of one connection: who it is and where its frames go. */
public record Member(String connectionId, String name, Delivery delivery) {
    public Member {
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(delivery, "delivery");
    }
}
