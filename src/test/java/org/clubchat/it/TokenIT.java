package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.clubchat.support.Tokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Token mode: who may connect, as whom, to which clubs, and for how long (docs/protocol.md, "Tokens"). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenIT {
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_TOKEN_SECRET", Tokens.SECRET));

    private static URI withToken(String token) {
        return URI.create(server.chat() + "?token=" + token);
    }

    private static TestClient connect(String token) {
        return TestClient.connect(withToken(token));
    }

    static Stream<Arguments> refusedTokens() {
        String otherSecret = "another-secret-that-is-long-enough-to-sign";
        return Stream.of(
                Arguments.of("malformed", "not.a.jwt"),
                Arguments.of("garbage", "abc"),
                Arguments.of("signed with another secret", Tokens.sign(Tokens.claims("alice", Duration.ofMinutes(5)),
                        JWSAlgorithm.HS256, otherSecret)),
                Arguments.of("expired beyond the skew", Tokens.sign(Tokens.claims("alice", Duration.ofSeconds(-45)))),
                Arguments.of("no exp", Tokens.sign(new JWTClaimsSet.Builder().subject("alice"))),
                Arguments.of("no sub", Tokens.sign(new JWTClaimsSet.Builder().expirationTime(
                        Date.from(Instant.now().plusSeconds(300))))),
                Arguments.of("empty sub", Tokens.sign(Tokens.claims("", Duration.ofMinutes(5)).claim("name", "alice"))),
                Arguments.of("unsigned (alg none)", new PlainJWT(new PlainHeader(),
                        Tokens.claims("alice", Duration.ofMinutes(5)).build()).serialize()),
                Arguments.of("HS512, not HS256", Tokens.sign(Tokens.claims("alice", Duration.ofMinutes(5)),
                        JWSAlgorithm.HS512, Tokens.SECRET + Tokens.SECRET)),
                Arguments.of("name with a control character", Tokens.sign(Tokens.claims("alice", Duration.ofMinutes(5))
                        .claim("name", "a\nb"))),
                Arguments.of("clubs not a list of strings", Tokens.sign(Tokens.claims("alice", Duration.ofMinutes(5))
                        .claim("clubs", "lobby"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void refusedTokenFailsTheHandshakeWith401(String why, String token) {
        assertRefused(withToken(token), 401);
    }

    @Test
    void missingTokenIsRefusedEvenWithAName() {
        assertRefused(server.chatAs("alice"), 401);
    }

    static void assertRefused(URI uri, int status) {
        var attempt = TestClient.attempt(uri);
        ExecutionException failure = assertThrows(ExecutionException.class, () -> attempt.get(10, TimeUnit.SECONDS));
        WebSocketHandshakeException refused = assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
        assertEquals(status, refused.getResponse().statusCode());
    }

    @Test
    void nameComesFromTheTokenAndNameParameterIsIgnored() {
        String token = Tokens.sign(Tokens.claims("u-17", Duration.ofMinutes(5)).claim("name", "Alice"));
        try (TestClient alice = TestClient.connect(URI.create(withToken(token) + "&name=mallory"))) {
            assertEquals("Alice", alice.expect("welcome").getString("name"));
        }
    }

    @Test
    void nameDefaultsToTheSubject() {
        try (TestClient bob = connect(Tokens.sign(Tokens.claims("bob", Duration.ofMinutes(5))))) {
            assertEquals("bob", bob.expect("welcome").getString("name"));
        }
    }

    @Test
    void tokenExpiredWithinTheSkewIsAcceptedThenClosedWith1008AtItsExpiry() {
        try (TestClient late = connect(Tokens.sign(Tokens.claims("late", Duration.ofSeconds(-28))))) {
            late.expect("welcome");
            TestClient.Closed closed = late.awaitClose();
            assertEquals(1008, closed.code());
        }
    }

    @Test
    void clubsClaimLimitsWhatTheConnectionMayUse() {
        String token = Tokens.sign(Tokens.claims("carol", Duration.ofMinutes(5)).claim("clubs", List.of("tok-a", "tok-b")));
        try (TestClient carol = connect(token)) {
            carol.expect("welcome");
            carol.join("tok-a");
            carol.send(Json.createObjectBuilder().add("type", "join").add("clubId", "tok-c").add("id", "j"));
            assertEquals("j", carol.expectError("forbidden").getString("id"));
            carol.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "tok-c").add("message", "hi"));
            carol.expectError("forbidden");
            carol.send(Json.createObjectBuilder().add("type", "chat").add("clubId", "tok-b").add("message", "hi"));
            carol.expectError("not_member");
            assertEquals(1, carol.chat("tok-a", "still fine"));
        }
    }

    private static void auth(TestClient client, String token, String id) {
        client.send(Json.createObjectBuilder().add("type", "auth").add("token", token).add("id", id));
    }

    @Test
    void refreshedTokenKeepsTheConnectionPastTheOldExpiry() {
        try (TestClient dana = connect(Tokens.sign(Tokens.claims("dana", Duration.ofSeconds(-27))))) {
            dana.expect("welcome");
            Instant fresh = Instant.now().plus(Duration.ofMinutes(10));
            auth(dana, Tokens.sign(Tokens.claims("dana", Duration.ofMinutes(10))), "refresh");
            JsonObject authed = dana.expect("authed");
            assertEquals("refresh", authed.getString("id"));
            assertTrue(Math.abs(authed.getJsonNumber("exp").longValue() - fresh.getEpochSecond()) <= 2, authed::toString);
            // The old token closed the connection 3 s from now; the window past it is the assertion.
            dana.assertNoFrame(Duration.ofSeconds(5));
            dana.send(Json.createObjectBuilder().add("type", "ping"));
            dana.expect("pong");
        }
    }

    @Test
    void tokenOfAnotherSubOrABadOneIsRefusedAndTheOldOneStays() {
        try (TestClient erin = connect(Tokens.sign(Tokens.claims("erin", Duration.ofMinutes(5))))) {
            erin.expect("welcome");
            auth(erin, Tokens.sign(Tokens.claims("mallory", Duration.ofMinutes(10))), "other");
            assertEquals("other", erin.expectError("unauthorized").getString("id"));
            auth(erin, Tokens.sign(Tokens.claims("erin", Duration.ofMinutes(10)), JWSAlgorithm.HS256,
                    "another-secret-of-at-least-32-bytes!"), "forged");
            assertEquals("forged", erin.expectError("unauthorized").getString("id"));
            erin.send("{\"type\":\"auth\",\"id\":\"none\"}");
            assertEquals("none", erin.expectError("bad_request").getString("id"));
            erin.join("tok-still");
        }
    }

    @Test
    void refreshThatNoLongerAllowsAClubLeavesItWithReasonForbidden() {
        String both = Tokens.sign(Tokens.claims("fay", Duration.ofMinutes(5)).claim("clubs", List.of("tok-x", "tok-y")));
        try (TestClient fay = connect(both); TestClient gus = connect(Tokens.sign(Tokens.claims("gus", Duration.ofMinutes(5))))) {
            fay.expect("welcome");
            gus.expect("welcome");
            fay.join("tok-x");
            fay.join("tok-y");
            gus.join("tok-y");
            fay.expect("presence");
            auth(fay, Tokens.sign(Tokens.claims("fay", Duration.ofMinutes(10)).claim("clubs", List.of("tok-x"))), "narrow");
            JsonObject left = fay.expect("left");
            assertEquals("tok-y", left.getString("clubId"));
            assertEquals("forbidden", left.getString("reason"));
            assertEquals("narrow", fay.expect("authed").getString("id"));
            assertEquals("leave", gus.expect("presence").getString("event"), "the others see fay go");
            fay.send(Json.createObjectBuilder().add("type", "join").add("clubId", "tok-y").add("id", "again"));
            assertEquals("again", fay.expectError("forbidden").getString("id"));
            assertEquals(1, fay.chat("tok-x", "still here"));
        }
    }
}
