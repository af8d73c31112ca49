package org.clubchat.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * What an app built on the Java socket.io client does against club-chat, for the launcher and every
 * container: the same checks, wherever the server runs.
 */
public final class JavaSocketIoScenarios {
    private JavaSocketIoScenarios() {
    }

    /**
     * A Java socket.io client and a native client in one club: join with an ack, presence, chat both ways
     * in Korean, accents and emoji with one seq order, and both error shapes with the connection still
     * usable. With no transports given, the client's default: long-polling, then the upgrade.
     */
    public static void chatsWithANativeClient(ChatServer server, String... transports) throws JSONException {
        String club = "java-sio-" + UUID.randomUUID();
        try (JavaSocketIoClient android = JavaSocketIoClient.named(server, "준호", transports).connected();
                TestClient web = server.connect("Zoë")) {
            JSONObject joined = (JSONObject) android.emitWithAck("join", payload(club)).get(0);
            assertEquals(club, joined.getString("clubId"));
            assertEquals(List.of("준호"), strings(joined.getJSONArray("members")));

            web.join(club);
            JSONObject presence = (JSONObject) android.expect("presence").args().get(0);
            assertEquals("join", presence.getString("event"));
            assertEquals("Zoë", presence.getString("name"));

            long seq = web.chat(club, "안녕하세요, café ☕ 🎉");
            List<Object> chat = android.expect("chat").args();
            assertEquals("안녕하세요, café ☕ 🎉", chat.get(0), "the message text first, as the gateway sent it");
            JSONObject meta = (JSONObject) chat.get(1);
            assertEquals("Zoë", meta.getString("from"));
            assertEquals(club, meta.getString("clubId"));
            assertEquals(seq, meta.getLong("seq"));

            JSONObject ack = (JSONObject) android.emitWithAck("chat", payload(club, "반가워요 👋 Zoë")).get(0);
            assertEquals(seq + 1, ack.getLong("seq"), "one seq order for both protocols");
            JsonObject received = web.expect("chat");
            assertEquals("반가워요 👋 Zoë", received.getString("message"));
            assertEquals("준호", received.getString("from"));
            assertEquals(seq + 1, received.getJsonNumber("seq").longValue());

            JSONObject refused = (JSONObject) android.emitWithAck("chat", payload("elsewhere", "다른 곳")).get(0);
            assertEquals("not_member", refused.getJSONObject("error").getString("code"));
            android.emit("chat", payload("elsewhere", "다른 곳"));
            JSONObject exception = (JSONObject) android.expect("exception").args().get(0);
            assertEquals("error", exception.getString("status"));
            assertEquals("not_member", exception.getString("code"));
            assertEquals(seq + 2, ((JSONObject) android.emitWithAck("chat", payload(club, "still here")).get(0)).getLong("seq"));
            assertEquals("still here", web.expect("chat").getString("message"));

            List<String> expected = transports.length == 0 ? List.of("polling", "websocket") : List.of(transports);
            Await.until(Duration.ofSeconds(10), () -> android.transports().equals(expected),
                    () -> "transports " + android.transports() + ", expected " + expected);
        }
    }

    /**
     * The Java client cannot recover a session by itself (socket.io-client-java has no connection state
     * recovery), so an app catches up the protocol's way: it keeps the last seq and the epoch it saw, and on
     * its next connection joins with {@code since}; what it missed follows the ack, in order, once.
     */
    public static void catchesUpWithSinceAfterAReconnect(ChatServer server) throws JSONException {
        String club = "java-sio-catch-up-" + UUID.randomUUID();
        try (TestClient web = server.connect("Zoë")) {
            web.join(club);
            long lastSeen;
            String epoch;
            try (JavaSocketIoClient android = JavaSocketIoClient.named(server, "준호").connected()) {
                epoch = ((JSONObject) android.emitWithAck("join", payload(club)).get(0)).getString("epoch");
                web.chatAmidPresence(club, "before");
                lastSeen = ((JSONObject) android.expect("chat").args().get(1)).getLong("seq");
            }
            web.chatAmidPresence(club, "missed 1 ✈️");
            web.chatAmidPresence(club, "missed 2 — 놓친 메시지");

            try (JavaSocketIoClient android = JavaSocketIoClient.named(server, "준호").connected()) {
                JSONObject rejoin = new JSONObject(Map.of("clubId", club, "since", lastSeen, "epoch", epoch));
                JSONObject joined = (JSONObject) android.emitWithAck("join", rejoin).get(0);
                assertTrue(joined.getBoolean("recovered"), joined::toString);
                assertEquals(lastSeen + 2, joined.getLong("seq"));
                assertEquals("missed 1 ✈️", android.expect("chat").args().get(0));
                List<Object> second = android.expect("chat").args();
                assertEquals("missed 2 — 놓친 메시지", second.get(0));
                assertEquals(lastSeen + 2, ((JSONObject) second.get(1)).getLong("seq"));
                web.chatAmidPresence(club, "live again");
                assertEquals("live again", android.expect("chat").args().get(0), "nothing replayed twice");
            }
        }
    }

    /**
     * Token mode: a bad token is refused with connect_error "unauthorized"; a good one connects as its name,
     * and the live connection takes a fresher token of the same subject, not another subject's.
     */
    public static void connectsWithATokenOnly(ChatServer server) throws JSONException {
        try (JavaSocketIoClient forger = JavaSocketIoClient.withToken(server, "not-a-token")) {
            assertEquals("unauthorized", forger.refused().getString("message"));
        }
        try (JavaSocketIoClient member = JavaSocketIoClient.withToken(server, token("user-11", Duration.ofMinutes(1))).connected()) {
            JSONObject joined = (JSONObject) member.emitWithAck("join", payload("tokens-" + UUID.randomUUID())).get(0);
            assertTrue(strings(joined.getJSONArray("members")).contains("Hélène 🌻"), joined::toString);

            long renewedUntil = Instant.now().plus(Duration.ofMinutes(30)).getEpochSecond();
            JSONObject renewed = (JSONObject) member.emitWithAck("auth", tokenPayload("user-11", Duration.ofMinutes(30))).get(0);
            assertTrue(Math.abs(renewed.getLong("exp") - renewedUntil) <= 5, "the fresher token's exp: " + renewed);
            JSONObject refused = (JSONObject) member.emitWithAck("auth", tokenPayload("user-12", Duration.ofMinutes(30))).get(0);
            assertEquals("unauthorized", refused.getJSONObject("error").getString("code"));
        }
    }

    private static String token(String subject, Duration ttl) {
        return Tokens.sign(Tokens.claims(subject, ttl).claim("name", "Hélène 🌻"));
    }

    private static JSONObject tokenPayload(String subject, Duration ttl) {
        return new JSONObject(Map.of("token", token(subject, ttl)));
    }

    private static JSONObject payload(String club) {
        return new JSONObject(Map.of("clubId", club));
    }

    private static JSONObject payload(String club, String message) {
        return new JSONObject(Map.of("clubId", club, "message", message));
    }

    private static List<String> strings(JSONArray array) throws JSONException {
        String[] values = new String[array.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.getString(i);
        }
        return List.of(values);
    }
}
