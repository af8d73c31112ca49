package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.clubchat.Settings;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The limits as most people deploy them, the defaults: they never refuse what the product's own client does. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DefaultLimitsIT {
    private static final int CLUBS_MAX = Integer.parseInt(Settings.Key.CLUBS_MAX.defaultValue());
    private static final int BURST = Integer.parseInt(Settings.Key.RATE_BURST.defaultValue());

    @RegisterExtension
    static final TestServer server = new TestServer();

    /** What the page does after a reconnect: every club it is in, re-joined at once. */
    @Test
    void reJoiningEveryClubAClientMayBeInAtOnceIsNeverRefused() {
        try (TestClient page = server.connect("page")) {
            for (int i = 0; i < CLUBS_MAX; i++) {
                page.send(Json.createObjectBuilder().add("type", "join").add("clubId", "all" + i).add("since", 0).add("id", "j" + i));
            }
            Set<String> joined = new HashSet<>();
            while (joined.size() < CLUBS_MAX) {
                JsonObject reply = page.next();
                assertEquals("joined", reply.getString("type"), reply::toString);
                joined.add(reply.getString("clubId"));
            }
            page.send("{\"type\":\"ping\"}");
            page.expect("pong");
        }
    }

    /**
     * A client that pipelines far more chats than the burst, before it could have read a reply: the ones
     * over the limit are answered rate_limited, each of them, and the connection stays open.
     */
    @Test
    void aPipelinedBurstIsAnsweredNotClosed() {
        int chats = 300;
        try (TestClient eager = server.connect("eager"); TestClient reader = server.connect("reader")) {
            eager.join("burst");
            reader.join("burst");
            eager.expect("presence");
            for (int i = 0; i < chats; i++) {
                eager.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "burst").add("message", "m" + i).add("id", "c" + i));
            }
            int acked = 0;
            int refused = 0;
            for (int i = 0; i < chats; i++) {
                JsonObject reply = eager.next();
                if ("ack".equals(reply.getString("type"))) {
                    acked++;
                } else {
                    assertEquals("rate_limited", reply.getString("code"), reply::toString);
                    refused++;
                }
            }
            int passed = acked;
            assertTrue(passed >= BURST, () -> "the burst of " + BURST + " passes; acked " + passed);
            assertEquals(chats, acked + refused);
            assertTrue(refused > 0, "the rest is refused");
            assertFalse(eager.isClosed(), "not closed for a burst it could not yet know was too much");
            assertEquals("after", eager.join("after").getString("clubId"), "and the connection still works");
            for (int i = 0; i < acked; i++) {
                assertEquals("chat", reader.expect("chat").getString("type"));
            }
        }
    }
}
