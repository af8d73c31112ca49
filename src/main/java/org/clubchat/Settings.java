package org.clubchat;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Everything an operator can set, read once at start. Each key is looked up as the system property
 * {@code clubchat.KEY}, then the environment variable {@code CLUBCHAT_KEY} (upper case, dots and dashes
 * as underscores), then, in a container, the context init parameter {@code clubchat.KEY}, then its
 * default; a bad value stops the start with a sentence naming the key. The machine-wide sources win so
 * that an operator can override what a deployment descriptor ships with.
 *
 * @param host              the standalone launcher's bind address
 * @param port              the standalone launcher's port
 * @param historySize       chat messages each club keeps for replay
 * @param clubRetention     how long an empty club keeps its history before it is forgotten
 * @param maxMessageLength  the longest chat {@code message}, in characters (code points)
 * @param maxFrameBytes     the largest incoming message, however fragmented; larger ones close with 1009
 */
public record Settings(
        String host,
        int port,
        int historySize,
        Duration clubRetention,
        int maxMessageLength,
        int maxFrameBytes) {

    /** The keys, their defaults and meanings: the README's settings table lists exactly these. */
    public enum Key {
        HOST("host", "127.0.0.1", "address the standalone launcher binds (0.0.0.0 for every interface)"),
        PORT("port", "8001", "port of the standalone launcher (0 picks a free one)"),
        HISTORY_SIZE("history.size", "100", "messages each club keeps for replay after a reconnect"),
        CLUB_RETENTION("club.retention", "PT5M", "how long an empty club keeps its history (ISO-8601 duration)"),
        MESSAGE_MAX_LENGTH("message.max-length", "2000", "longest chat message, in characters"),
        FRAME_MAX_BYTES("frame.max-bytes", "65536", "largest incoming WebSocket message; larger ones close with 1009");

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

    /** Thrown for a value that cannot be used; the message names the key and says why. */
    public static final class InvalidSettingException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidSettingException(String message) {
            super(message);
        }
    }

    public Settings {
        require(port >= 0 && port <= 65535, Key.PORT, "0-65535", port);
        require(historySize >= 0, Key.HISTORY_SIZE, "0 or more", historySize);
        require(!clubRetention.isNegative(), Key.CLUB_RETENTION, "a duration of 0 or more", clubRetention);
        require(maxMessageLength >= 1, Key.MESSAGE_MAX_LENGTH, "1 or more", maxMessageLength);
        require(maxFrameBytes >= 1024, Key.FRAME_MAX_BYTES, "1024 or more", maxFrameBytes);
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
                source.integer(Key.FRAME_MAX_BYTES));
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
            return value == null || value.isBlank() ? key.defaultValue() : value.trim();
        }

        int integer(Key key) {
            String value = raw(key);
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new InvalidSettingException(key.systemProperty() + " must be a whole number, was " + value);
            }
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
