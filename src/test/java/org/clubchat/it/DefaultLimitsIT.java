package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;
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
                    assertTrue(reply.getJsonNumber("retryAfter").longValue() > 0, reply::toString);
                    refused++;
                }
            }
            int passed = acked;
            assertTrue(passed >= BURST, () -> "the burst of " + BURST + " passes; acked " + passed);
            assertEquals(chats, acked + refused);
            assertTrue(refused > 0, "the rest is refused");
            assertFalse(eager.isClosed(), "not closed for a burst it could not yet know was too much");
            eager.send(Json.createObjectBuilder().add("type", "ping").add("id", "after the burst"));
            assertEquals("after the burst", eager.expect("pong").getString("id"), "a ping is never refused");
            assertEquals("after", eager.join("after").getString("clubId"), "and the connection still works");
            for (int i = 0; i < acked; i++) {
                assertEquals("chat", reader.expect("chat").getString("type"));
            }
        }
    }

    /** Backs off exponentially from 20 ms: what the protocol promises is never closed. */
    @Test
    void aClientThatBacksOffExponentiallyIsNeverClosed() {
        sendPolitely("backoff", attempt -> Duration.ofMillis(20L << Math.min(attempt - 1, 10)), reply -> { });
    }

    /** Waits the retryAfter it was told before resending each refused chat. */
    @Test
    void aClientThatWaitsRetryAfterIsNeverClosed() {
        AtomicLong told = new AtomicLong();
        sendPolitely("waiter", attempt -> Duration.ofMillis(told.get()),
                reply -> told.set(reply.getJsonNumber("retryAfter").longValue()));
    }

    /**
     * 130 chats to a club in pipelined batches of 20, the next batch once the last is acknowledged; each
     * refused chat is resent after {@code backOff} (by its attempt), reading replies meanwhile. Every chat
     * is acknowledged once, the reader gets each once, and the connection is never closed.
     */
    private void sendPolitely(String club, IntFunction<Duration> backOff, Consumer<JsonObject> refused) {
        int chats = 130;
        int batch = 20;
        try (TestClient polite = server.connect("polite-" + club); TestClient reader = server.connect("reader-" + club)) {
            polite.join(club);
            reader.join(club);
            polite.expect("presence");
            record Resend(long at, int chat) {
            }
            PriorityQueue<Resend> resends = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
            Map<Integer, Integer> attempts = new HashMap<>();
            Set<Integer> acked = new HashSet<>();
            int sent = 0;
            while (acked.size() < chats) {
                if (sent == acked.size()) {
                    for (int end = Math.min(chats, sent + batch); sent < end; sent++) {
                        sendChat(polite, club, sent);
                    }
                }
                long now = System.nanoTime();
                while (!resends.isEmpty() && resends.peek().at() <= now) {
                    sendChat(polite, club, resends.poll().chat());
                }
                Duration wait = resends.isEmpty() ? TestClient.TIMEOUT : Duration.ofNanos(resends.peek().at() - now);
                JsonObject reply = polite.poll(wait);
                if (reply == null) {
                    assertFalse(polite.isClosed(), "closed");
                    continue;
                }
                int chat = Integer.parseInt(reply.getString("id"));
                if (reply.getString("type").equals("ack")) {
                    assertTrue(acked.add(chat), () -> "acknowledged twice: " + reply);
                } else {
                    assertEquals("rate_limited", reply.getString("code"), reply::toString);
                    refused.accept(reply);
                    int attempt = attempts.merge(chat, 1, Integer::sum);
                    resends.add(new Resend(System.nanoTime() + backOff.apply(attempt).toNanos(), chat));
                }
            }
            assertFalse(polite.isClosed());
            Set<String> received = new HashSet<>();
            for (int i = 0; i < chats; i++) {
                assertTrue(received.add(reader.expect("chat").getString("message")), "each chat arrives once");
            }
            polite.send("{\"type\":\"ping\"}");
            polite.expect("pong");
        }
    }

    private static void sendChat(TestClient client, String club, int chat) {
        client.send(Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", "안녕 " + chat + " 🎉")
                .add("id", String.valueOf(chat)));
    }
}
