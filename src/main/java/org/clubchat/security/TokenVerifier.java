package org.clubchat.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
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
 * Checks {@code ?token=} in token mode with Nimbus JOSE+JWT: HS256 only (an unsigned token or any other
 * algorithm is refused), signed with the configured secret, {@code sub} and {@code exp} present, not
 * expired beyond the protocol's 30 seconds of clock skew. Thread-safe: the processor holds no state
 * between calls.
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

    /** @param secret the setting's UTF-8 bytes, at least 32 of them (HS256 needs 256 bits) */
    public TokenVerifier(String secret) {
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.HS256,
                new ImmutableSecret<>(secret.getBytes(StandardCharsets.UTF_8))));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(null, Set.of("sub", "exp"));
        claims.setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
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
