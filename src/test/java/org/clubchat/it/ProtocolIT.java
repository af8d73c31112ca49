package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clubchat.support.RawWebSocket;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every message type, reply, error and close code of docs/protocol.md, against the real server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProtocolIT {
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final AtomicInteger CLUBS = new AtomicInteger();
    @RegisterExtension
    static final TestServer server = new TestServer();

    /** A club id no other test uses, so tests share the server without sharing state. */
    private static String freshClub() {
        return "club-" + CLUBS.incrementAndGet();
    }

    @Test
    void welcomeCarriesSessionIdNameAndProtocol() {
        try (TestClient alice = TestClient.connect(server.chatAs("alice"))) {
            JsonObject welcome = alice.expect("welcome");
            assertEquals("alice", welcome.getString("name"));
            assertEquals(1, welcome.getInt("protocol"));
            assertFalse(welcome.getString("sessionId").isEmpty());
        }
    }

    @Test
    void connectionWithoutNameIsNamedGuest() {
        try (TestClient guest = TestClient.connect(server.chat()); TestClient other = TestClient.connect(server.chat())) {
            String name = guest.expect("welcome").getString("name");
            assertTrue(name.matches("guest-[0-9a-z]{6}"), name);
            assertFalse(name.equals(other.expect("welcome").getString("name")));
        }
    }

    @Test
    void nameIsCountedInCodePoints() {
        String thirtyTwoEmoji = "😀".repeat(32);
        try (TestClient client = TestClient.connect(server.chatAs(thirtyTwoEmoji))) {
            assertEquals(thirtyTwoEmoji, client.expect("welcome").getString("name"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a%0Ab", "%00", "123456789012345678901234567890123"})
    void invalidNameRefusesHandshakeWith400(String encodedName) {
        var attempt = TestClient.attempt(URI.create(server.chat() + "?name=" + encodedName));
        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> attempt.get(10, TimeUnit.SECONDS));
        WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
        assertEquals(400, refused.getResponse().statusCode());
    }

    @Test
    void joinAnswersJoinedWithMembersSeqAndEpoch() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice")) {
            alice.send(Json.createObjectBuilder().add("type", "join").add("clubId", club).add("id", "j1"));
            JsonObject joined = alice.expect("joined");
            assertEquals(club, joined.getString("clubId"));
            assertEquals("j1", joined.getString("id"));
            assertEquals(List.of("alice"), TestClient.members(joined));
            assertEquals(0, joined.getJsonNumber("seq").longValue());
            assertFalse(joined.getString("epoch").isEmpty());
            assertFalse(joined.containsKey("recovered"), "recovered only when since was given");
        }
    }

    @Test
    void chatGoesToOtherMembersWithSeqAndTsAndIsAckedToSender() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob");
                TestClient outsider = server.connect("carol")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            long before = System.currentTimeMillis();
            alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", "hi bob").add("id", "m1"));
            JsonObject ack = alice.expect("ack");
            assertEquals(1, ack.getJsonNumber("seq").longValue());
            assertEquals("m1", ack.getString("id"));
            assertEquals(club, ack.getString("clubId"));

            JsonObject chat = bob.expect("chat");
            assertEquals(club, chat.getString("clubId"));
            assertEquals("alice", chat.getString("from"));
            assertEquals("hi bob", chat.getString("message"));
            assertEquals(1, chat.getJsonNumber("seq").longValue());
            long ts = chat.getJsonNumber("ts").longValue();
            assertTrue(ts >= before - 1000 && ts <= System.currentTimeMillis() + 1000, "ts " + ts);
            assertFalse(chat.containsKey("id"), "the sender's id is not broadcast");

            assertEquals(2, bob.chat(club, "hi alice"));
            assertEquals(2, alice.expect("chat").getJsonNumber("seq").longValue());
            alice.assertNoFrame(QUIET);
            outsider.assertNoFrame(Duration.ZERO);
        }
    }

    @Test
    void messageTextIsDeliveredVerbatim() {
        String club = freshClub();
        String text = "   <b>\"quoted\"</b> \\ \u0000 é 😀 ";
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            alice.chat(club, text);
            assertEquals(text, bob.expect("chat").getString("message"));
        }
    }

    @Test
    void pingAnswersPongWithId() {
        try (TestClient alice = server.connect("alice")) {
            alice.send(Json.createObjectBuilder().add("type", "ping").add("id", "p-1"));
            assertEquals("p-1", alice.expect("pong").getString("id"));
            alice.send("{\"type\":\"ping\"}");
            assertFalse(alice.expect("pong").containsKey("id"));
        }
    }

    @Test
    void leaveAnswersLeftAndStopsDelivery() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            bob.send(Json.createObjectBuilder().add("type", "leave").add("clubId", club).add("id", "bye"));
            JsonObject left = bob.expect("left");
            assertEquals(club, left.getString("clubId"));
            assertEquals("bye", left.getString("id"));
            assertEquals("leave", alice.expect("presence").getString("event"));
            alice.chat(club, "anyone?");
            bob.assertNoFrame(QUIET);
        }
    }

    @Test
    void rejoiningAClubAnswersJoinedAgainWithoutPresence() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            assertEquals(List.of("alice", "bob"), TestClient.members(bob.join(club)));
            alice.assertNoFrame(QUIET);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {33, 1_000, 20_000})
    void deeplyNestedJsonIsBadJsonAndTheConnectionStaysUsable(int depth) {
        try (TestClient alice = server.connect("alice")) {
            alice.send("{\"type\":\"ping\",\"x\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
            alice.expectError("bad_json");
            alice.send("{\"type\":\"ping\"}");
            alice.expect("pong");
        }
    }

    @Test
    void validSurrogatePairsAndNulArePlainText() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            bob.send("{\"type\":\"chat\",\"clubId\":\"" + club + "\",\"message\":\"\\ud83d\\ude00 a\\u0000b\"}");
            bob.expect("ack");
            assertEquals("😀 a\u0000b", alice.expect("chat").getString("message"));
        }
    }

    /** Each error code, with the connection still usable afterwards and the id echoed where valid. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "not json                                               | bad_json     | ",
        "[1,2]                                                  | bad_json     | ",
        "\"text\"                                               | bad_json     | ",
        "{\"type\":\"ping\"} trailing                           | bad_json     | ",
        "{\"a\":1e10000000000,\"type\":\"ping\",\"id\":\"q\"}   | bad_json     | ",
        "{}                                                     | bad_request  | ",
        "{\"type\":5,\"id\":\"r1\"}                             | bad_request  | r1",
        "{\"type\":\"ping\",\"id\":7}                           | bad_request  | ",
        "{\"type\":\"ping\",\"id\":\"12345678901234567890123456789012345678901234567890123456789012345\"} | bad_request | ",
        "{\"type\":\"join\",\"id\":\"r2\"}                      | bad_request  | r2",
        "{\"type\":\"join\",\"clubId\":\"ok\",\"since\":-1}     | bad_request  | ",
        "{\"type\":\"join\",\"clubId\":\"ok\",\"since\":1.5}    | bad_request  | ",
        "{\"type\":\"join\",\"clubId\":\"ok\",\"since\":\"3\"}  | bad_request  | ",
        "{\"type\":\"join\",\"clubId\":\"ok\",\"since\":1e30}   | bad_request  | ",
        "{\"type\":\"join\",\"clubId\":\"ok\",\"since\":9223372036854775808} | bad_request | ",
        "{\"type\":\"join\",\"clubId\":\"ok\",\"since\":0,\"epoch\":\"\\udc00\"} | bad_request | ",
        "{\"type\":\"chat\",\"clubId\":\"ok\",\"message\":\"a\\ud800\",\"id\":\"s1\"} | bad_request | s1",
        "{\"type\":\"chat\",\"clubId\":\"ok\",\"message\":\"\\udc00\\ud800\"} | bad_request | ",
        "{\"type\":\"ping\",\"id\":\"\\ud800\"}              | bad_request  | ",
        "{\"type\":\"join\",\"clubId\":\"a\\u0000b\"}        | invalid_club | ",
        "{\"type\":\"join\",\"clubId\":\"\\ud800\"}          | invalid_club | ",
        "{\"type\":\"join\",\"clubId\":\"ok\",\"since\":0,\"epoch\":5} | bad_request | ",
        "{\"type\":\"join\",\"clubId\":\"bad club\",\"since\":\"x\"} | bad_request | ",
        "{\"type\":\"chat\",\"clubId\":\"ok\"}                  | bad_request  | ",
        "{\"type\":\"chat\",\"clubId\":\"ok\",\"message\":1}    | bad_request  | ",
        "{\"type\":\"leave\"}                                   | bad_request  | ",
        "{\"type\":\"dance\",\"id\":\"u1\"}                     | unknown_type | u1",
        "{\"type\":\"welcome\"}                                 | unknown_type | ",
        "{\"type\":\"auth\",\"token\":\"t\",\"id\":\"a1\"}      | unknown_type | a1",
        "{\"type\":\"dance\",\"clubId\":5}                      | unknown_type | ",
        "{\"type\":\"join\",\"clubId\":\"\"}                    | invalid_club | ",
        "{\"type\":\"join\",\"clubId\":\"a b\",\"id\":\"i1\"}   | invalid_club | i1",
        "{\"type\":\"join\",\"clubId\":\"x/y\"}                 | invalid_club | ",
        "{\"type\":\"join\",\"clubId\":\"12345678901234567890123456789012345678901234567890123456789012345\"} | invalid_club | ",
        "{\"type\":\"chat\",\"clubId\":\"a!\",\"message\":\"\"} | invalid_club | ",
        "{\"type\":\"chat\",\"clubId\":\"nobody\",\"message\":\"\",\"id\":\"n1\"} | not_member | n1",
        "{\"type\":\"leave\",\"clubId\":\"nobody\"}             | not_member   | ",
    })
    void errorIsAnsweredAndConnectionStaysUsable(String frame, String code, String echoedId) {
        try (TestClient alice = server.connect("alice")) {
            alice.send(frame.strip());
            JsonObject error = alice.expectError(code);
            assertFalse(error.getString("message").isEmpty());
            if (echoedId == null) {
                assertFalse(error.containsKey("id"), error::toString);
            } else {
                assertEquals(echoedId, error.getString("id"));
            }
            alice.send("{\"type\":\"ping\",\"id\":\"after\"}");
            assertEquals("after", alice.expect("pong").getString("id"));
        }
    }

    @Test
    void tooLongAndEmptyMessagesAreRefusedAndUseNoSeq() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", "x".repeat(2001)).add("id", "t"));
            assertEquals("t", alice.expectError("too_long").getString("id"));
            alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", ""));
            alice.expectError("too_long");
            assertEquals(1, alice.chat(club, "😀".repeat(2000)), "2000 emoji are 2000 characters");
            assertEquals(2, alice.chat(club, " "), "a message of only spaces is not empty");
            assertEquals(1, bob.expect("chat").getJsonNumber("seq").longValue());
            assertEquals(2, bob.expect("chat").getJsonNumber("seq").longValue());
        }
    }

    @Test
    void notMemberWinsOverTooLong() {
        try (TestClient alice = server.connect("alice")) {
            alice.send(Json.createObjectBuilder().add("type", "chat").add("clubId", freshClub()).add("message", ""));
            alice.expectError("not_member");
        }
    }

    @Test
    void unknownFieldsAreIgnored() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice")) {
            alice.send(Json.createObjectBuilder().add("type", "join").add("clubId", club)
                    .add("extra", Json.createObjectBuilder().add("nested", Json.createArrayBuilder().add(1))));
            alice.expect("joined");
        }
    }

    @Test
    void binaryFrameClosesWith1003() {
        try (TestClient alice = server.connect("alice")) {
            alice.sendBinary(new byte[] {1, 2, 3});
            assertEquals(1003, alice.awaitClose().code());
        }
    }

    /**
     * The client is still sending when the 1009 comes: the server reads and drops the rest and closes the
     * socket only after the client's close frame, so no reset hides the close frame.
     */
    @ParameterizedTest
    @ValueSource(ints = {64 * 1024 + 1, 300_000, 5_000_000})
    void messageOverTheLimitClosesWith1009(int bytes) {
        try (TestClient alice = server.connect("alice")) {
            alice.sendExpectingClose(pingOfBytes(bytes));
            assertEquals(1009, alice.awaitClose().code());
        }
    }

    /** Closed on the header alone: the server does not buffer megabytes first, and answers 1009, not 1011. */
    @ParameterizedTest
    @ValueSource(longs = {300_000, 5_000_000, Long.MAX_VALUE})
    void singleFrameAnnouncingTooMuchClosesWith1009(long announced) throws Exception {
        try (RawWebSocket raw = new RawWebSocket(server.port())) {
            raw.sendFrameStart(announced, 70_000);
            assertEquals(1009, raw.awaitCloseCode());
        }
    }

    @Test
    void manyLargeMessagesSentBackToBackAreAllAccepted() {
        try (TestClient alice = server.connect("alice")) {
            String frame = pingOfBytes(60 * 1024);
            for (int i = 0; i < 8; i++) {
                alice.send(frame);
            }
            for (int i = 0; i < 8; i++) {
                alice.expect("pong");
            }
        }
    }

    @Test
    void fragmentedMessageOverTheLimitClosesWith1009() {
        try (TestClient alice = server.connect("alice")) {
            String frame = pingOfBytes(300_000);
            alice.sendExpectingClose(frame.substring(0, 40_000), frame.substring(40_000, 80_000), frame.substring(80_000));
            assertEquals(1009, alice.awaitClose().code());
        }
    }

    @Test
    void multiByteMessageOverTheLimitInBytesClosesWith1009() {
        try (TestClient alice = server.connect("alice")) {
            String frame = "{\"type\":\"ping\",\"pad\":\"" + "é".repeat(33_000) + "\"}";
            alice.sendExpectingClose(frame);
            assertEquals(1009, alice.awaitClose().code());
        }
    }

    @Test
    void messageOfExactlyTheLimitIsAccepted() {
        try (TestClient alice = server.connect("alice")) {
            alice.send(pingOfBytes(64 * 1024));
            alice.expect("pong");
            alice.sendFragments(pingOfBytes(60 * 1024).substring(0, 30_000), pingOfBytes(60 * 1024).substring(30_000));
            alice.expect("pong");
        }
    }

    @Test
    void otherMembersLoseNothingWhenOneIsClosedForAnOversizedMessage() {
        String club = freshClub();
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join(club);
            bob.join(club);
            alice.expect("presence");
            bob.sendExpectingClose(pingOfBytes(70_000));
            assertEquals(1009, bob.awaitClose().code());
            assertEquals("leave", alice.expect("presence").getString("event"));
            try (TestClient carol = server.connect("carol")) {
                carol.join(club);
                alice.expect("presence");
                alice.chat(club, "still here");
                assertEquals("still here", carol.expect("chat").getString("message"));
            }
        }
    }

    @Test
    void pageIsServedAtTheRoot() throws Exception {
        // HTTP/1.1 as browsers speak it: Grizzly drops the content type when a client offers an h2c upgrade.
        HttpResponse<String> page = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(server.http("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"), page.headers()::toString);
        assertTrue(page.body().contains("club-chat"), page.body());
    }

    /** A valid {@code ping} frame padded with an unknown field to exactly {@code bytes} UTF-8 bytes. */
    static String pingOfBytes(int bytes) {
        String head = "{\"type\":\"ping\",\"pad\":\"";
        String tail = "\"}";
        return head + "x".repeat(bytes - head.length() - tail.length()) + tail;
    }
}
