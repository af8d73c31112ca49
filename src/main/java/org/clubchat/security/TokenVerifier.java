package org.clubchat.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.clubchat.protocol.Names;

/**
 * Checks {@code ?token=} in token mode with Nimbus JOSE+JWT: HS256 tokens signed with the configured
 * secret, and RS256 or ES256 tokens signed by a key of the configured JWKS URL (an unsigned token or any
 * other algorithm is refused); {@code sub} (not empty) and {@code exp} present, not expired beyond the
 * protocol's 30 seconds of clock skew; {@code iss} and {@code aud} when configured. The key set is Nimbus's
 * {@code JWKSourceBuilder}: cached (5 minutes, refreshed ahead), fetched again at once for an unknown
 * {@code kid} (a rotation) at a bounded rate, retried once, and kept through an outage of the identity
 * provider. Thread-safe: the processor holds no state between calls, and the key source is Nimbus's,
 * made for concurrent use.
 */
public final class TokenVerifier {
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    /** What a token says, or why it is refused (for the handshake answer; never contains the token). */
    public sealed interface Result permits Verified, Invalid {
    }

    public record Verified(Identity identity) implements Result {
    }

    public record Invalid(String reason) implements Result {
    }

    /**
     * @param secret   the HS256 secret (its UTF-8 bytes, at least 32 of them), or empty for none
     * @param jwksUrl  the identity provider's key set for RS256 and ES256, or empty for none
     * @param issuer   the {@code iss} required, or empty
     * @param audience the {@code aud} required, or empty
     */
    public TokenVerifier(String secret, String jwksUrl, String issuer, String audience) {
        JWSKeySelector<SecurityContext> bySecret = secret.isEmpty() ? null
                : new JWSVerificationKeySelector<>(JWSAlgorithm.HS256, new ImmutableSecret<>(secret.getBytes(StandardCharsets.UTF_8)));
        JWSKeySelector<SecurityContext> byKeySet = jwksUrl.isEmpty() ? null
                : new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), keySet(jwksUrl));
        processor.setJWSKeySelector((header, context) -> {
            JWSKeySelector<SecurityContext> selector = JWSAlgorithm.HS256.equals(header.getAlgorithm()) ? bySecret : byKeySet;
            return selector == null ? List.of() : selector.selectJWSKeys(header, context);
        });
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (!issuer.isEmpty()) {
            exact.issuer(issuer);
        }
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(audience.isEmpty() ? null : audience,
                exact.build(), Set.of("sub", "exp"));
        claims.setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    private static JWKSource<SecurityContext> keySet(String jwksUrl) {
        try {
            return JWKSourceBuilder.<SecurityContext>create(new URI(jwksUrl).toURL()).retrying(true).outageTolerant(true).build();
        } catch (URISyntaxException | MalformedURLException e) {
            throw new IllegalArgumentException("not a URL: " + jwksUrl, e);
        }
    }

    public Result verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            return new Invalid("malformed token");
        } catch (BadJOSEException | JOSEException e) {
            return new Invalid("token refused: " + e.getMessage());
        }
        try {
            String subject = claims.getSubject();
            if (subject.isEmpty()) {
                return new Invalid("token sub must not be empty");
            }
            String name = Optional.ofNullable(claims.getStringClaim("name")).orElse(subject);
            if (!Names.isValid(name)) {
                return new Invalid("token name must be 1-32 characters without control characters");
            }
            List<String> clubs = claims.getStringListClaim("clubs");
            Instant closeAt = claims.getExpirationTime().toInstant().plus(CLOCK_SKEW);
            return new Verified(new Identity(name, subject, Optional.ofNullable(clubs).map(HashSet::new), Optional.of(closeAt)));
        } catch (ParseException e) {
            return new Invalid("token claims of the wrong type: " + e.getMessage());
        }
    }
}
