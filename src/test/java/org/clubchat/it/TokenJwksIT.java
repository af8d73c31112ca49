package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.clubchat.support.Await;
import org.clubchat.support.Http;
import org.clubchat.support.Node;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tokens from an identity provider: RS256 and ES256 tokens signed by the keys its JWKS URL publishes
 * (served here by a small HTTP server with keys made in the test), {@code iss} and {@code aud} checked,
 * keys rotated mid-run, and a provider that is down when the first token comes and back later.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TokenJwksIT {
    private static final String ISSUER = "https://idp.example/realms/club";
    private static final String AUDIENCE = "club-chat";

    /** A tiny identity provider: its key set at /jwks, which can be switched off (503). */
    private static final class IdentityProvider implements AutoCloseable {
        final AtomicReference<JWKSet> keys = new AtomicReference<>(new JWKSet());
        final AtomicBoolean up = new AtomicBoolean(true);
        final HttpServer http;

        IdentityProvider() throws IOException {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/jwks", this::serve);
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/jwks";
        }

        void publish(JWK... signingKeys) {
            keys.set(new JWKSet(List.of(signingKeys)).toPublicJWKSet());
        }

        private void serve(HttpExchange exchange) throws IOException {
            if (!up.get()) {
                exchange.sendResponseHeaders(503, -1);
                exchange.close();
                return;
            }
            Http.answerJson(exchange, keys.get().toString());
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    private static ServerProcess serverOf(IdentityProvider idp) throws IOException {
        return Node.start("jwks", Map.of("CLUBCHAT_TOKEN_JWKS_URL", idp.url(), "CLUBCHAT_TOKEN_ISSUER", ISSUER,
                "CLUBCHAT_TOKEN_AUDIENCE", AUDIENCE));
    }

    private static JWTClaimsSet.Builder claims(String subject) {
        return new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER).audience(AUDIENCE)
                .expirationTime(Date.from(Instant.now().plus(Duration.ofMinutes(5))));
    }

    private static String sign(JWK key, JWTClaimsSet.Builder claims) throws JOSEException {
        JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
        JWSAlgorithm algorithm = key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims.build());
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static URI withToken(ServerProcess server, String token) {
        return URI.create(server.chatAs("ignored").toString().replaceFirst("name=[^&]*", "token=" + token));
    }

    private static void assertRefused(URI uri) {
        var attempt = TestClient.attempt(uri);
        ExecutionException failure = assertThrows(ExecutionException.class, () -> attempt.get(10, TimeUnit.SECONDS));
        assertEquals(401, assertInstanceOf(WebSocketHandshakeException.class, failure.getCause()).getResponse().statusCode());
    }

    private static String welcomedName(URI uri) {
        try (TestClient client = TestClient.connect(uri)) {
            return client.expect("welcome").getString("name");
        }
    }

    @Test
    void rs256AndEs256TokensOfTheProviderAreAcceptedWithTheirIssuerAndAudience() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        try (IdentityProvider idp = new IdentityProvider(); ServerProcess server = serverOf(idp)) {
            idp.publish(rsa, ec);
            assertEquals("Zoë 🌷", welcomedName(withToken(server, sign(rsa, claims("user-1").claim("name", "Zoë 🌷")))));
            assertEquals("user-2", welcomedName(withToken(server, sign(ec, claims("user-2")))));
            assertRefused(withToken(server, sign(rsa, claims("user-3").issuer("https://elsewhere.example"))));
            assertRefused(withToken(server, sign(rsa, claims("user-4").audience("another-app"))));
            RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
            assertRefused(withToken(server, sign(stranger, claims("user-5"))));
        }
    }

    @Test
    void rotatedKeysAreFetchedWhenATokenNamesAnUnknownKid() throws Exception {
        RSAKey old = new RSAKeyGenerator(2048).keyID("2026-11").generate();
        RSAKey rotated = new RSAKeyGenerator(2048).keyID("2026-12").generate();
        try (IdentityProvider idp = new IdentityProvider(); ServerProcess server = serverOf(idp)) {
            idp.publish(old);
            assertEquals("before", welcomedName(withToken(server, sign(old, claims("before")))));
            idp.publish(rotated);
            assertEquals("after", welcomedName(withToken(server, sign(rotated, claims("after")))),
                    "a kid the cached set lacks makes the server fetch the set again at once");
        }
    }

    @Test
    void providerDownAtFirstIsUsedOnceItIsBack() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        try (IdentityProvider idp = new IdentityProvider(); ServerProcess server = serverOf(idp)) {
            idp.publish(rsa);
            idp.up.set(false);
            String token = sign(rsa, claims("patient"));
            assertRefused(withToken(server, token));
            idp.up.set(true);
            // Nimbus fetches a failed key set again no sooner than its rate limit allows (30 s).
            Await.until(Duration.ofSeconds(60), () -> {
                try (TestClient client = TestClient.connect(withToken(server, token))) {
                    return client.expect("welcome").getString("name").equals("patient");
                } catch (RuntimeException refused) {
                    return false;
                }
            }, () -> "the token accepted once the provider is back");
        }
    }
}
