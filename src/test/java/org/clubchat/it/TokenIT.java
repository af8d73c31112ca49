package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import jakarta.json.Json;
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
}
