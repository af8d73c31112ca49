package org.clubchat.support;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** Mints JWTs for tests, as a team's login service would. */
public final class Tokens {
    public static final String SECRET = "a-test-secret-of-at-least-32-bytes!!";

    private Tokens() {
    }

    /** Claims for a subject that expires {@code ttl} from now (negative for the past). */
    public static JWTClaimsSet.Builder claims(String subject, Duration ttl) {
        return new JWTClaimsSet.Builder().subject(subject).expirationTime(Date.from(Instant.now().plus(ttl)));
    }

    public static String sign(JWTClaimsSet.Builder claims) {
        return sign(claims, JWSAlgorithm.HS256, SECRET);
    }

    public static String sign(JWTClaimsSet.Builder claims, JWSAlgorithm algorithm, String secret) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims.build());
            jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
