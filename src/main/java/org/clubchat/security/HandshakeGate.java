package org.clubchat.security;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
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
     * @param origin   the {@code Origin} header, or null when there is none
     * @param rawQuery the request's query string as it came, still percent-encoded, or null
     */
    public Admission admit(String origin, String rawQuery) {
        Admission admission = origins.allows(origin) ? identify(rawQuery) : new Admission.Refused(403, "origin not allowed");
        if (admission instanceof Admission.Refused refused) {
            metrics.handshakeRefused(refused.httpStatus());
        }
        return admission;
    }

    /** The check before an upgrade for wires that say who they are after it (socket.io): the origin only. */
    public Admission admitOrigin(String origin) {
        if (origins.allows(origin)) {
            return new Admission.Admitted(null);
        }
        metrics.handshakeRefused(403);
        return new Admission.Refused(403, "origin not allowed");
    }

    public boolean allowsOrigin(String origin) {
        return origins.allows(origin);
    }

    /**
     * Who the connection is: from the token in token mode ({@code ?name=} ignored), else from {@code ?name=}.
     * The query is decoded here, as UTF-8, rather than taken from the container: Payara decodes query
     * parameters as ISO-8859-1 unless told otherwise, which turns {@code Zo%C3%AB} into {@code ZoÃ«}.
     *
     * @param rawQuery the request's query string as it came, still percent-encoded, or null
     */
    public Admission identify(String rawQuery) {
        Map<String, String> query;
        try {
            query = firstValues(rawQuery);
        } catch (IllegalArgumentException e) {
            return new Admission.Refused(400, "the query string is not valid percent-encoded UTF-8");
        }
        return identify(query.get(TOKEN_PARAMETER), query.get(NAME_PARAMETER));
    }

    /**
     * Who a connection is, from a token in token mode (the name ignored), else from the name; for wires
     * that carry them elsewhere than in the query (socket.io's {@code auth}).
     *
     * @param token the token, or null
     * @param name  the name asked for, or null for a guest name
     */
    public Admission identify(String token, String name) {
        return tokens == null ? byName(name == null ? "" : name) : byToken(token == null ? "" : token);
    }

    /** Each parameter's first value, decoded as {@code application/x-www-form-urlencoded} UTF-8. */
    private static Map<String, String> firstValues(String rawQuery) {
        Map<String, String> values = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            values.putIfAbsent(key, value);
        }
        return values;
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

    private static String guestName() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder name = new StringBuilder("guest-");
        for (int i = 0; i < GUEST_SUFFIX_LENGTH; i++) {
            name.append(Character.forDigit(random.nextInt(36), 36));
        }
        return name.toString();
    }
}
