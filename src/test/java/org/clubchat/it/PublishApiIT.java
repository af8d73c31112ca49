package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Http;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP publish API: a backend posts into a club; members receive an ordinary chat with the next seq. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PublishApiIT {
    private static final String KEY = "backend-key-1";
    private static final String[] AUTHORIZED = {"Authorization", "Bearer " + KEY, "Content-Type", "application/json"};
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_API_KEY", KEY, "CLUBCHAT_MESSAGE_MAX_LENGTH", "10"));

    private static HttpResponse<String> publish(String club, String body) {
        return Http.post(server.http("/api/clubs/" + club + "/messages"), body, AUTHORIZED);
    }

    @Test
    void publishedMessageReachesEveryMemberWithTheNextSeqAndLandsInHistory() {
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            String epoch = alice.join("orders").getString("epoch");
            bob.join("orders");
            alice.expect("presence");
            assertEquals(1, alice.chat("orders", "hi"));
            bob.expect("chat");

            HttpResponse<String> created = publish("orders", "{\"message\":\"shipped\",\"from\":\"shop\"}");
            assertEquals(201, created.statusCode(), created::body);
            assertEquals(Json.createObjectBuilder().add("clubId", "orders").add("seq", 2).add("duplicate", false).build(),
                    Http.json(created));
            for (TestClient member : List.of(alice, bob)) {
                JsonObject chat = member.expect("chat");
                assertEquals("shipped", chat.getString("message"));
                assertEquals("shop", chat.getString("from"));
                assertEquals(2, chat.getJsonNumber("seq").longValue());
            }
            assertEquals(3, bob.chat("orders", "thanks"));

            JsonObject club = Http.json(Http.get(server.http("/api/clubs/orders"), AUTHORIZED));
            assertEquals(List.of("alice", "bob"), TestClient.members(club));
            assertEquals(3, club.getJsonNumber("seq").longValue());
            assertEquals(epoch, club.getString("epoch"));

            try (TestClient carol = server.connect("carol")) {
                carol.send(Json.createObjectBuilder().add("type", "join").add("clubId", "orders").add("since", 1).add("epoch", epoch));
                assertTrue(carol.expect("joined").getBoolean("recovered"));
                assertEquals("shipped", carol.expect("chat").getString("message"));
            }
        }
    }

    @Test
    void publishingIntoAnEmptyClubKeepsTheMessageForItsFirstMembers() {
        assertEquals(201, publish("later", "{\"message\":\"first\"}").statusCode());
        try (TestClient dave = server.connect("dave")) {
            dave.send(Json.createObjectBuilder().add("type", "join").add("clubId", "later").add("since", 0));
            assertEquals(1, dave.expect("joined").getJsonNumber("seq").longValue());
            JsonObject chat = dave.expect("chat");
            assertEquals("first", chat.getString("message"));
            assertEquals("server", chat.getString("from"), "the default sender");
        }
    }

    @Test
    void publishWithAKeyIsStoredOnceWhenResent() {
        try (TestClient alice = server.connect("alice")) {
            alice.join("keyed");
            String body = "{\"message\":\"발송됨 🎉\",\"from\":\"shop\",\"key\":\"order-1042\"}";
            HttpResponse<String> created = publish("keyed", body);
            assertEquals(201, created.statusCode(), created::body);
            assertEquals(1, Http.json(created).getJsonNumber("seq").longValue());
            assertEquals(1, alice.expect("chat").getJsonNumber("seq").longValue());

            HttpResponse<String> resent = publish("keyed", body);
            assertEquals(200, resent.statusCode(), resent::body);
            assertEquals(Json.createObjectBuilder().add("clubId", "keyed").add("seq", 1).add("duplicate", true).build(),
                    Http.json(resent));
            alice.send(ExactlyOnceIT.keyed("keyed", "mine", "order-1042", "c"));
            JsonObject ack = alice.expect("ack");
            assertEquals(2, ack.getJsonNumber("seq").longValue(), "a member's keys are not the API's");
            assertEquals(false, ack.getBoolean("duplicate"));

            assertEquals(201, publish("keyed", "{\"message\":\"next\",\"key\":\"order-1043\"}").statusCode());
            JsonObject next = alice.expect("chat");
            assertEquals("next", next.getString("message"), "the resend reached nobody");
            assertEquals(3, next.getJsonNumber("seq").longValue());
        }
    }

    /** An operator pages back through a club as a member's {@code history} does, newest first. */
    @Test
    void messagesArePagedBackWithBeforeAndLimit() {
        try (TestClient erin = server.connect("에린")) {
            erin.join("paged");
            for (int i = 1; i <= 7; i++) {
                erin.chat("paged", "말 " + i + " é🎉");
            }
            JsonObject newest = Http.json(Http.get(server.http("/api/clubs/paged/messages?limit=3"), AUTHORIZED));
            assertEquals(List.of(5L, 6L, 7L), seqs(newest));
            JsonObject first = newest.getJsonArray("messages").getJsonObject(0);
            assertEquals("말 5 é🎉", first.getString("message"));
            assertEquals("에린", first.getString("from"));
            assertTrue(newest.getBoolean("more"));
            JsonObject earlier = Http.json(Http.get(server.http("/api/clubs/paged/messages?before=5&limit=3"), AUTHORIZED));
            assertEquals(List.of(2L, 3L, 4L), seqs(earlier));
            JsonObject last = Http.json(Http.get(server.http("/api/clubs/paged/messages?before=2"), AUTHORIZED));
            assertEquals(List.of(1L), seqs(last));
            assertEquals(false, last.getBoolean("more"));
            JsonObject none = Http.json(Http.get(server.http("/api/clubs/nobody-paged/messages?before=9"), AUTHORIZED));
            assertEquals(List.of(), seqs(none));
        }
    }

    private static List<Long> seqs(JsonObject page) {
        return page.getJsonArray("messages").getValuesAs(JsonObject.class).stream().map(m -> m.getJsonNumber("seq").longValue()).toList();
    }

    @ParameterizedTest(name = "{0} -> 400")
    @CsvSource({"before=0", "before=x", "before=-3", "limit=0", "limit=101", "limit=1.5", "since=1&before=3"})
    void badPagesAreBadRequests(String query) {
        HttpResponse<String> refused = Http.get(server.http("/api/clubs/paged/messages?" + query), AUTHORIZED);
        assertEquals(400, refused.statusCode(), refused::body);
        assertEquals("bad_request", Http.json(refused).getString("code"));
    }

    @Test
    void unknownClubIsEmpty() {
        JsonObject club = Http.json(Http.get(server.http("/api/clubs/nobody-here"), AUTHORIZED));
        assertEquals(List.of(), TestClient.members(club));
        assertEquals(0, club.getJsonNumber("seq").longValue());
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "{not json                          | 400 | bad_json",
        "[1]                                | 400 | bad_json",
        "{}                                 | 400 | bad_request",
        "{\"message\":5}                    | 400 | bad_request",
        "{\"message\":\"hi\",\"from\":7}    | 400 | bad_request",
        "{\"message\":\"hi\",\"from\":\"\"} | 400 | bad_request",
        "{\"message\":\"\"}                 | 400 | too_long",
        "{\"message\":\"eleven char\"}      | 400 | too_long",
        "{\"message\":\"hi\",\"key\":5}     | 400 | bad_request",
        "{\"message\":\"hi\",\"key\":\"\"}  | 400 | bad_request",
    })
    void badBodiesAreRefusedWithTheProtocolsCodes(String body, int status, String code) {
        HttpResponse<String> refused = publish("orders", body.strip());
        assertEquals(status, refused.statusCode(), refused::body);
        assertEquals(code, Http.json(refused).getString("code"));
        assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    }

    @Test
    void badClubIdIsInvalidClub() {
        HttpResponse<String> refused = publish("no%20spaces", "{\"message\":\"hi\"}");
        assertEquals(400, refused.statusCode());
        assertEquals("invalid_club", Http.json(refused).getString("code"));
    }

    @Test
    void missingOrWrongKeyIs401() {
        HttpResponse<String> missing = Http.post(server.http("/api/clubs/orders/messages"), "{\"message\":\"hi\"}");
        assertEquals(401, missing.statusCode());
        assertEquals("forbidden", Http.json(missing).getString("code"));
        assertEquals("Bearer", missing.headers().firstValue("WWW-Authenticate").orElse(""));
        HttpResponse<String> wrong = Http.post(server.http("/api/clubs/orders/messages"), "{\"message\":\"hi\"}",
                "Authorization", "Bearer " + KEY + "x");
        assertEquals(401, wrong.statusCode());
        assertEquals(401, Http.get(server.http("/api/clubs/orders"), "Authorization", "Basic " + KEY).statusCode());
    }

    @Test
    void wrongMethodIs405() {
        HttpResponse<String> get = Http.get(server.http("/api/disconnect"), AUTHORIZED);
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
        HttpResponse<String> post = Http.post(server.http("/api/clubs"), "{}", AUTHORIZED);
        assertEquals(405, post.statusCode());
        assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
    }
}
