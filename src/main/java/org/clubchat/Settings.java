package org.clubchat;

import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.clubchat.service.Limits;

/**
 * Everything an operator can set, read once at start. Each key is looked up as the system property
 * {@code clubchat.KEY}, then the environment variable {@code CLUBCHAT_KEY} (upper case, dots and dashes
 * as underscores), then, in a container, the context init parameter {@code clubchat.KEY}, then its
 * default; a bad value stops the start with a sentence naming the key. The machine-wide sources win so
 * that an operator can override what a deployment descriptor ships with.
 *
 * <p>Long (over 400 lines) because it is one list: every setting, its key, default and meaning (which
 * the README's table mirrors and a test compares), and its check, side by side.
 *
 * @param host              the standalone launcher's bind address
 * @param port              the standalone launcher's port
 * @param historySize       chat messages each club keeps for replay
 * @param clubRetention     how long an empty club keeps its history before it is forgotten
 * @param maxMessageLength  the longest chat {@code message}, in characters (code points)
 * @param maxFrameBytes     the largest incoming message, however fragmented; larger ones close with 1009
 * @param tokenSecret       the HS256 secret; empty (and no JWKS URL) means open mode (names from {@code ?name=})
 * @param tokenJwksUrl      where an identity provider publishes its signing keys (RS256, ES256); empty for none
 * @param tokenIssuer       the {@code iss} every token must carry; empty to not check it
 * @param tokenAudience     an {@code aud} every token must carry; empty to not check it
 * @param allowedOrigins    the origins a browser handshake may come from; empty means any
 * @param ratePerSecond     messages a connection may send per second, on average (joins and leaves: see maxClubs)
 * @param rateBurst         messages a connection may send at once after being quiet
 * @param floodTolerance    refused messages a connection may run up, a tenth of them forgiven a second, before it is
 *                          closed with 1008
 * @param maxClubs          clubs one connection may be in at once, and joins and leaves it may send at once
 * @param maxHeldClubs      clubs one server holds in memory at once; a join or publish that would make another is
 *                          {@code unavailable}
 * @param maxConnections    open connections one server accepts; beyond it new ones close with 1013
 * @param outboxMaxBytes    bytes (UTF-8) queued for one connection before it is closed with 1013
 * @param outboxBudgetBytes bytes (UTF-8) queued for all connections together before the largest backlogs are
 *                          shed with 1013; 0 for a quarter of the JVM's maximum heap
 * @param pingInterval      how often the server pings each quiet connection
 * @param idleTimeout       how long a connection may stay silent (no frame, no pong) before it is closed
 * @param apiKey            the bearer key of the HTTP publish API; empty switches the API off
 * @param redisUri          Redis shared by several nodes, e.g. {@code redis://127.0.0.1:6379}; empty keeps clubs in memory
 * @param pageTokenUrl      token mode: where the bundled page fetches a token for its signed-in user (docs/client.md)
 * @param opsProtected      whether {@code /health} and {@code /metrics} need the API key too
 * @param hooksUrl          the application's backend that answers the hooks (docs/hooks.md); empty for none
 * @param hooksTimeout      how long a hook may take before the failure policy decides
 * @param hooksAllowOnFailure the failure policy: true allows, false refuses what a failed hook was asked
 * @param socketIoPingInterval how often Engine.IO pings a socket.io client (its open packet's {@code pingInterval})
 * @param socketIoPingTimeout  how long a socket.io client may take to answer a ping before it is dropped
 * @param dbUrl             PostgreSQL that keeps every club's history; empty (and no JNDI name) keeps it in memory only
 * @param dbUser            the database user
 * @param dbPassword        that user's password
 * @param dbJndi            in a container, the JNDI name of its DataSource, used instead of {@code dbUrl}
 * @param dbMigrate         whether the schema is brought up to date at start (else only checked)
 * @param historyRetention  how long stored messages are kept; zero keeps everything
 * @param replayMax         the most messages one join with {@code since} replays
 * @param wsCompression     whether a client that offers permessage-deflate may have it
 * @param presenceLimit     above how many distinct names a club gets {@code count} instead of {@code presence}
 *
 * <p>Longer than most classes here (about 440 lines): one component and one {@link Key} per setting,
 * each key with its README row, and one check per setting in the constructor; a setting is added in this
 * one place.
 */
public record Settings(
        String host,
        int port,
        int historySize,
        Duration clubRetention,
        int maxMessageLength,
        int maxFrameBytes,
        String tokenSecret,
        String tokenJwksUrl,
        String tokenIssuer,
        String tokenAudience,
        List<String> allowedOrigins,
        int ratePerSecond,
        int rateBurst,
        int floodTolerance,
        int maxClubs,
        int maxHeldClubs,
        int maxConnections,
        int outboxMaxBytes,
        long outboxBudgetBytes,
        Duration pingInterval,
        Duration idleTimeout,
        String apiKey,
        String redisUri,
        String pageTokenUrl,
        boolean opsProtected,
        String hooksUrl,
        Duration hooksTimeout,
        boolean hooksAllowOnFailure,
        Duration socketIoPingInterval,
        Duration socketIoPingTimeout,
        String dbUrl,
        String dbUser,
        String dbPassword,
        String dbJndi,
        boolean dbMigrate,
        Duration historyRetention,
        int replayMax,
        boolean wsCompression,
        int presenceLimit) {

    /** The keys, their defaults and meanings: the README's settings table lists exactly these. */
    public enum Key {
        HOST("host", "127.0.0.1", "address the standalone launcher binds (0.0.0.0 for every interface)"),
        PORT("port", "8001", "port of the standalone launcher (0 picks a free one)"),
        HISTORY_SIZE("history.size", "100", "messages each club keeps for replay after a reconnect"),
        CLUB_RETENTION("club.retention", "PT5M", "how long an empty club keeps its history (ISO-8601 duration)"),
        MESSAGE_MAX_LENGTH("message.max-length", "2000", "longest chat message, in characters"),
        FRAME_MAX_BYTES("frame.max-bytes", "65536", "largest incoming WebSocket message; larger ones close with 1009"),
        TOKEN_SECRET("token.secret", "", "HS256 secret (at least 32 bytes) that switches on token mode; empty (and no JWKS URL) means open mode"),
        TOKEN_JWKS_URL("token.jwks-url", "", "an identity provider's key set (JWKS) URL that switches on token mode for its RS256 and ES256 tokens (Keycloak: `https://HOST/realms/REALM/protocol/openid-connect/certs`)"),
        TOKEN_ISSUER("token.issuer", "", "the `iss` every token must carry; empty does not check it"),
        TOKEN_AUDIENCE("token.audience", "", "an `aud` every token must carry; empty does not check it"),
        ALLOWED_ORIGINS("allowed.origins", "", "comma-separated origins browsers may connect from (`https://chat.example.com`); empty means any"),
        RATE_PER_SECOND("rate.per-second", "20", "messages a connection may send per second, on average; joins and leaves have their own allowance, `clubs.max` plus `rate.burst` at once"),
        RATE_BURST("rate.burst", "40", "messages a connection may send at once after a quiet spell"),
        RATE_FLOOD_TOLERANCE("rate.flood-tolerance", "1000", "refused messages (net of a tenth of it forgiven per second) a connection may go on sending more than a second after its first `rate_limited` before it is closed with 1008; a client that waits `retryAfter` or backs off exponentially never gets there"),
        CLUBS_MAX("clubs.max", "100", "clubs one connection may be in at once"),
        CLUBS_HELD_MAX("clubs.held-max", "100000", "clubs the server holds in memory at once (with members, or empty within their retention); a join or publish that would make another is answered `unavailable`"),
        CONNECTIONS_MAX("connections.max", "10000", "open connections per server; more are closed with 1013 at once"),
        OUTBOX_MAX_BYTES("outbox.max-bytes", "1048576", "bytes queued for a connection that does not read; past it the connection is closed with 1013"),
        OUTBOX_BUDGET_BYTES("outbox.budget-bytes", "0", "bytes queued for all connections together; past it the largest backlogs are closed with 1013 (0: a quarter of the maximum heap)"),
        PING_INTERVAL("ping.interval", "PT30S", "how often the server pings a connection (ISO-8601 duration)"),
        IDLE_TIMEOUT("idle.timeout", "PT90S", "a connection silent this long (no frame, no pong) is closed"),
        API_KEY("api.key", "", "bearer key for the HTTP publish API (`/api/...`); empty switches the API off"),
        REDIS_URI("redis.uri", "", "Redis that several nodes share clubs through: `redis://127.0.0.1:6379`, `redis-sentinel://s1:26379,s2:26379#master-id` or `redis-cluster://h1:7000,h2:7000` (docs/operations.md, \"Redis topologies\"); empty keeps clubs in this server's memory"),
        PAGE_TOKEN_URL("page.token-url", "", "token mode: a URL of your application that answers the signed-in user's token; the bundled page fetches it (docs/client.md)"),
        OPS_PROTECTED("ops.protected", "false", "`true` puts `/health` and `/metrics` behind the API key too (for servers whose HTTP port faces the internet)"),
        HOOKS_URL("hooks.url", "", "your backend that decides connections, joins and chats (docs/hooks.md); empty for none"),
        HOOKS_TIMEOUT("hooks.timeout", "PT2S", "how long a hook may take before the failure policy decides (ISO-8601 duration, at most 8 s)"),
        HOOKS_FAILURE("hooks.failure", "refuse", "what a hook that fails or times out decides: `refuse` (`forbidden`) or `allow`"),
        SOCKETIO_PING_INTERVAL("socketio.ping-interval", "PT25S", "how often the server pings a socket.io client (socket.io's `pingInterval`)"),
        SOCKETIO_PING_TIMEOUT("socketio.ping-timeout", "PT20S", "a socket.io client that has not answered a ping this long is dropped (socket.io's `pingTimeout`)"),
        DB_URL("db.url", "", "PostgreSQL that keeps every club's history (`jdbc:postgresql://HOST:5432/DB`); empty, and no JNDI name, keeps history in memory only"),
        DB_USER("db.user", "", "the database user for `CLUBCHAT_DB_URL`"),
        DB_PASSWORD("db.password", "", "that user's password"),
        DB_JNDI("db.jndi", "", "in the WAR: the JNDI name of the container's DataSource (`java:comp/env/jdbc/clubchat`), used instead of `CLUBCHAT_DB_URL`"),
        DB_MIGRATE("db.migrate", "true", "`true` brings the schema up to date at start (Flyway); `false` leaves migrations to a DBA (the SQL files in `db/migration` of the jar) and only checks them"),
        HISTORY_RETENTION("history.retention", "", "with the database: how long messages are kept (ISO-8601 duration, `P90D`); empty keeps everything"),
        REPLAY_MAX("replay.max", "1000", "the most messages one join with `since` replays; older ones are read with `history` (`joined.replayFrom`)"),
        WS_COMPRESSION("ws.compression", "off", "`on` lets a client that offers permessage-deflate (every browser does) have it; `off` declines it, so no connection costs a compression context (docs/operations.md, \"Compression\")"),
        PRESENCE_LIMIT("presence.limit", "1000", "above this many distinct names a club is large: members get `count` at most once a second instead of `presence`, and `joined.members` lists this many (docs/protocol.md, \"Large clubs\"; memory mode so far)");

        private final String name;
        private final String defaultValue;
        private final String meaning;

        Key(String name, String defaultValue, String meaning) {
            this.name = name;
            this.defaultValue = defaultValue;
            this.meaning = meaning;
        }

        public String systemProperty() {
            return "clubchat." + name;
        }

        public String environmentVariable() {
            return "CLUBCHAT_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        }

        public String defaultValue() {
            return defaultValue;
        }

        public String meaning() {
            return meaning;
        }
    }

    /** Settings never shown, not even in {@link #toString}. */
    private static final Set<String> SECRETS = Set.of("tokenSecret", "apiKey", "dbPassword");
    /** Settings shown without the credentials a URL may carry. */
    private static final Set<String> URLS = Set.of("redisUri", "hooksUrl", "tokenJwksUrl", "pageTokenUrl", "dbUrl");
    /** A Redis Cluster's seed nodes, each {@code host:port}, after an optional {@code [user:]password@}. */
    private static final Pattern REDIS_CLUSTER = Pattern.compile("redis-cluster://([^@]*@)?[^,:@/]+:\\d+(,[^,:@/]+:\\d+)*");

    /** Thrown for a value that cannot be used; the message names the key and says why. */
    public static final class InvalidSettingException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InvalidSettingException(String message) {
            super(message);
        }
    }

    public Settings {
        require(port >= 0 && port <= 65535, Key.PORT, "0-65535", port);
        require(historySize >= 0, Key.HISTORY_SIZE, "0 or more", historySize);
        // Nodes fill a gap in a club's messages (a publication their subscription missed) from its history.
        require(redisUri.isEmpty() || historySize >= 1, Key.HISTORY_SIZE, "1 or more with " + Key.REDIS_URI.systemProperty(),
                historySize);
        require(!clubRetention.isNegative(), Key.CLUB_RETENTION, "a duration of 0 or more", clubRetention);
        require(maxMessageLength >= 1, Key.MESSAGE_MAX_LENGTH, "1 or more", maxMessageLength);
        require(maxFrameBytes >= 1024, Key.FRAME_MAX_BYTES, "1024 or more", maxFrameBytes);
        int secretBytes = tokenSecret.getBytes(StandardCharsets.UTF_8).length;
        require(secretBytes == 0 || secretBytes >= 32, Key.TOKEN_SECRET, "empty or at least 32 bytes",
                secretBytes + " bytes");
        require(!opsProtected || !apiKey.isEmpty(), Key.OPS_PROTECTED, "false without " + Key.API_KEY.systemProperty(), opsProtected);
        require(hooksUrl.isEmpty() || isHttpUrl(hooksUrl), Key.HOOKS_URL, "an http or https URL", withoutCredentials(hooksUrl));
        // Within the protocol's 10 s for every answer, with room for the rest of the work.
        require(hooksTimeout.compareTo(Duration.ofMillis(1)) >= 0 && hooksTimeout.compareTo(Duration.ofSeconds(8)) <= 0,
                Key.HOOKS_TIMEOUT, "1 ms to 8 s", hooksTimeout);
        require(tokenJwksUrl.isEmpty() || isHttpUrl(tokenJwksUrl), Key.TOKEN_JWKS_URL, "an http or https URL",
                withoutCredentials(tokenJwksUrl));
        require(redisUri.isEmpty() || isRedisUri(redisUri), Key.REDIS_URI,
                "a redis://, rediss:// or redis-sentinel:// URI, or redis-cluster://host:port[,host:port...]",
                withoutCredentials(redisUri));
        allowedOrigins = List.copyOf(allowedOrigins);
        require(ratePerSecond >= 1, Key.RATE_PER_SECOND, "1 or more", ratePerSecond);
        require(rateBurst >= 1, Key.RATE_BURST, "1 or more", rateBurst);
        require(floodTolerance >= 1, Key.RATE_FLOOD_TOLERANCE, "1 or more", floodTolerance);
        require(maxClubs >= 1, Key.CLUBS_MAX, "1 or more", maxClubs);
        require(maxHeldClubs >= 1, Key.CLUBS_HELD_MAX, "1 or more", maxHeldClubs);
        require(maxConnections >= 1, Key.CONNECTIONS_MAX, "1 or more", maxConnections);
        require(outboxMaxBytes >= maxFrameBytes, Key.OUTBOX_MAX_BYTES, "at least " + Key.FRAME_MAX_BYTES.systemProperty(),
                outboxMaxBytes);
        require(outboxBudgetBytes == 0 || outboxBudgetBytes >= outboxMaxBytes, Key.OUTBOX_BUDGET_BYTES,
                "0 or at least " + Key.OUTBOX_MAX_BYTES.systemProperty(), outboxBudgetBytes);
        require(pingInterval.toMillis() >= 10, Key.PING_INTERVAL, "at least PT0.01S", pingInterval);
        require(idleTimeout.compareTo(pingInterval) > 0, Key.IDLE_TIMEOUT, "longer than " + Key.PING_INTERVAL.systemProperty(),
                idleTimeout);
        // Engine.IO's open packet carries them as milliseconds; a client's reconnection timer needs some.
        require(socketIoPingInterval.toMillis() >= 100, Key.SOCKETIO_PING_INTERVAL, "at least PT0.1S", socketIoPingInterval);
        require(socketIoPingTimeout.toMillis() >= 100, Key.SOCKETIO_PING_TIMEOUT, "at least PT0.1S", socketIoPingTimeout);
        require(dbUrl.isEmpty() || dbUrl.startsWith("jdbc:postgresql:"), Key.DB_URL, "a jdbc:postgresql: URL", withoutCredentials(dbUrl));
        require(!historyRetention.isNegative(), Key.HISTORY_RETENTION, "a duration of 0 or more (0 or empty: keep everything)",
                historyRetention);
        require(replayMax >= 1, Key.REPLAY_MAX, "1 or more", replayMax);
        require(presenceLimit >= 1, Key.PRESENCE_LIMIT, "1 or more", presenceLimit);
    }

    /** The limits the service enforces on each connection. */
    public Limits limits() {
        return new Limits(maxMessageLength, maxConnections, ratePerSecond, rateBurst, floodTolerance, maxClubs,
                outboxMaxBytes, pingInterval, idleTimeout);
    }

    /** The outbox budget in bytes, a quarter of {@code maxHeapBytes} when the setting leaves it to the heap. */
    public long outboxBudget(long maxHeapBytes) {
        return outboxBudgetBytes > 0 ? outboxBudgetBytes : Math.max(outboxMaxBytes, maxHeapBytes / 4);
    }

    public static Settings defaults() {
        return load(Map.of(), new Properties());
    }

    /** Reads the settings from the given environment and system properties; touches nothing global. */
    public static Settings load(Map<String, String> env, Properties systemProperties) {
        return load(env, systemProperties, Map.of());
    }

    /**
     * As {@link #load(Map, Properties)}, with a deployed WAR's context init parameters (keyed like the
     * system properties) as the last source before the defaults.
     */
    public static Settings load(Map<String, String> env, Properties systemProperties, Map<String, String> contextParameters) {
        Source source = new Source(env, systemProperties, contextParameters);
        return new Settings(
                source.raw(Key.HOST),
                source.integer(Key.PORT),
                source.integer(Key.HISTORY_SIZE),
                source.duration(Key.CLUB_RETENTION),
                source.integer(Key.MESSAGE_MAX_LENGTH),
                source.integer(Key.FRAME_MAX_BYTES),
                source.raw(Key.TOKEN_SECRET),
                source.raw(Key.TOKEN_JWKS_URL),
                source.raw(Key.TOKEN_ISSUER),
                source.raw(Key.TOKEN_AUDIENCE),
                source.list(Key.ALLOWED_ORIGINS),
                source.integer(Key.RATE_PER_SECOND),
                source.integer(Key.RATE_BURST),
                source.integer(Key.RATE_FLOOD_TOLERANCE),
                source.integer(Key.CLUBS_MAX),
                source.integer(Key.CLUBS_HELD_MAX),
                source.integer(Key.CONNECTIONS_MAX),
                source.integer(Key.OUTBOX_MAX_BYTES),
                source.longInteger(Key.OUTBOX_BUDGET_BYTES),
                source.duration(Key.PING_INTERVAL),
                source.duration(Key.IDLE_TIMEOUT),
                source.raw(Key.API_KEY),
                source.raw(Key.REDIS_URI),
                source.raw(Key.PAGE_TOKEN_URL),
                source.bool(Key.OPS_PROTECTED),
                source.raw(Key.HOOKS_URL),
                source.duration(Key.HOOKS_TIMEOUT),
                source.choice(Key.HOOKS_FAILURE, "refuse", "allow").equals("allow"),
                source.duration(Key.SOCKETIO_PING_INTERVAL),
                source.duration(Key.SOCKETIO_PING_TIMEOUT),
                source.raw(Key.DB_URL),
                source.raw(Key.DB_USER),
                source.raw(Key.DB_PASSWORD),
                source.raw(Key.DB_JNDI),
                source.bool(Key.DB_MIGRATE),
                source.raw(Key.HISTORY_RETENTION).isEmpty() ? Duration.ZERO : source.duration(Key.HISTORY_RETENTION),
                source.integer(Key.REPLAY_MAX),
                source.choice(Key.WS_COMPRESSION, "off", "on").equals("on"),
                source.integer(Key.PRESENCE_LIMIT));
    }

    /** Whether history is kept in a database (a URL, or a container's DataSource by JNDI name). */
    public boolean durable() {
        return !dbUrl.isEmpty() || !dbJndi.isEmpty();
    }

    /** Whether connections are identified by tokens (a secret or an identity provider's keys) rather than names. */
    public boolean tokenMode() {
        return !tokenSecret.isEmpty() || !tokenJwksUrl.isEmpty();
    }

    /** Every setting but the secrets, which show as {@code ***}, and URLs without their user and password. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Settings[");
        for (RecordComponent component : Settings.class.getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(this);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            String name = component.getName();
            if (SECRETS.contains(name) && !value.toString().isEmpty()) {
                value = "***";
            } else if (URLS.contains(name)) {
                value = withoutCredentials(value.toString());
            }
            text.append(text.length() > "Settings[".length() ? ", " : "").append(name).append('=').append(value);
        }
        return text.append(']').toString();
    }

    /**
     * The URL with whatever stands before an {@code @} in its authority (a user, a password) shown as
     * {@code ***}: for logs and error messages, which must not carry credentials.
     */
    public static String withoutCredentials(String url) {
        int authority = url.indexOf("://");
        int start = authority < 0 ? 0 : authority + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        int at = url.lastIndexOf('@', end - 1);
        return at < start ? url : url.substring(0, start) + "***" + url.substring(at);
    }

    private static boolean isRedisUri(String value) {
        return value.startsWith("redis://") || value.startsWith("rediss://") || value.startsWith("redis-sentinel://")
                || value.startsWith("rediss-sentinel://") || value.startsWith("redis-socket://") || REDIS_CLUSTER.matcher(value).matches();
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = new URI(value);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static void require(boolean ok, Key key, String expected, Object actual) {
        if (!ok) {
            throw new InvalidSettingException(key.systemProperty() + " must be " + expected + ", was " + actual);
        }
    }

    private record Source(Map<String, String> env, Properties systemProperties, Map<String, String> contextParameters) {
        String raw(Key key) {
            String value = systemProperties.getProperty(key.systemProperty());
            if (value == null) {
                value = env.get(key.environmentVariable());
            }
            if (value == null) {
                value = contextParameters.get(key.systemProperty());
            }
            if (value == null || value.isBlank()) {
                return key.defaultValue();
            }
            // Secrets are their exact bytes (docs/protocol.md); every other value forgives stray spaces.
            return key == Key.TOKEN_SECRET || key == Key.API_KEY || key == Key.DB_PASSWORD ? value : value.trim();
        }

        List<String> list(Key key) {
            return Arrays.stream(raw(key).split(",")).map(String::trim).filter(item -> !item.isEmpty()).toList();
        }

        long longInteger(Key key) {
            String value = raw(key);
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new InvalidSettingException(key.systemProperty() + " must be a whole number, was " + value);
            }
        }

        String choice(Key key, String... allowed) {
            String value = raw(key);
            if (!Arrays.asList(allowed).contains(value)) {
                throw new InvalidSettingException(key.systemProperty() + " must be one of " + String.join(", ", allowed) + ", was " + value);
            }
            return value;
        }

        boolean bool(Key key) {
            String value = raw(key);
            if (!value.equals("true") && !value.equals("false")) {
                throw new InvalidSettingException(key.systemProperty() + " must be true or false, was " + value);
            }
            return Boolean.parseBoolean(value);
        }

        int integer(Key key) {
            long value = longInteger(key);
            if (value != (int) value) {
                throw new InvalidSettingException(key.systemProperty() + " must be at most " + Integer.MAX_VALUE + ", was " + value);
            }
            return (int) value;
        }

        Duration duration(Key key) {
            String value = raw(key);
            try {
                return Duration.parse(value);
            } catch (DateTimeParseException e) {
                throw new InvalidSettingException(
                        key.systemProperty() + " must be an ISO-8601 duration such as PT5M, was " + value);
            }
        }
    }
}
