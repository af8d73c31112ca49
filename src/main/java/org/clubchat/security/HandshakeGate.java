package org.clubchat.security;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.Names;

/**
 * Decides every handshake from its {@code Origin} header and query parameters. Container-neutral: every
 * adapter asks it before it upgrades a connection (the WAR's servlet filter, the launcher's engine) and
 * when it opens one, so the rules live in one place. Immutable, so shared by every handshake.
 */
public final class HandshakeGate {
    static final String NAME_PARAMETER = "name";
    static final String TOKEN_PARAMETER = "token";
    private static final int GUEST_SUFFIX_LENGTH = 6;

    private final OriginPolicy origins;
    private final TokenVerifier tokens;
    private final Metrics metrics;

    /** @param tokens the verifier in token mode, null in open mode */
    public HandshakeGate(OriginPolicy origins, TokenVerifier tokens, Metrics metrics) {
        this.origins = origins;
        this.tokens = tokens;
        this.metrics = metrics;
    }

    /**
     * The whole check before an upgrade.
     *
     * @param origin the {@code Origin} header, or null when there is none
     * @param query  the decoded query parameters, as containers give them
     */
    public Admission admit(String origin, Map<String, List<String>> query) {
        Admission admission = origins.allows(origin) ? identify(query) : new Admission.Refused(403, "origin not allowed");
        if (admission instanceof Admission.Refused refused) {
            metrics.handshakeRefused(refused.httpStatus());
        }
        return admission;
    }

    public boolean allowsOrigin(String origin) {
        return origins.allows(origin);
    }

    /** Who the connection is: from the token in token mode ({@code ?name=} ignored), else from {@code ?name=}. */
    public Admission identify(Map<String, List<String>> query) {
        return tokens == null ? byName(first(query, NAME_PARAMETER)) : byToken(first(query, TOKEN_PARAMETER));
    }

    private Admission byToken(String token) {
        if (token.isEmpty()) {
            return new Admission.Refused(401, "a token is required");
        }
        TokenVerifier.Result result = tokens.verify(token);
        if (result instanceof TokenVerifier.Verified verified) {
            return new Admission.Admitted(verified.identity());
        }
        return new Admission.Refused(401, ((TokenVerifier.Invalid) result).reason());
    }

    private static Admission byName(String name) {
        if (name.isEmpty()) {
            return new Admission.Admitted(Identity.named(guestName()));
        }
        if (!Names.isValid(name)) {
            return new Admission.Refused(400, "name must be 1-32 characters without control characters");
        }
        return new Admission.Admitted(Identity.named(name));
    }

    private static String first(Map<String, List<String>> query, String parameter) {
        List<String> values = query.get(parameter);
        return values == null || values.isEmpty() ? "" : values.get(0);
    }

    private static String guestName() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder name = new StringBuilder("guest-");
        for (int i = 0; i < GUEST_SUFFIX_LENGTH; i++) {
            name.append(Character.forDigit(random.nextInt(36), 36));
        }
        return name.toString();
    }
}
