package org.clubchat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void defaultsMatchTheProtocol() {
        Settings settings = Settings.defaults();
        assertEquals(8001, settings.port());
        assertEquals(100, settings.historySize());
        assertEquals(Duration.ofMinutes(5), settings.clubRetention());
        assertEquals(2000, settings.maxMessageLength());
        assertEquals(65536, settings.maxFrameBytes());
    }

    @Test
    void systemPropertyWinsOverEnvironmentWhichWinsOverDefault() {
        Properties system = new Properties();
        system.setProperty("clubchat.port", "9001");
        Settings settings = Settings.load(Map.of("CLUBCHAT_PORT", "9002", "CLUBCHAT_HISTORY_SIZE", "7",
                "CLUBCHAT_MESSAGE_MAX_LENGTH", "10", "CLUBCHAT_CLUB_RETENTION", "PT0.2S"), system);
        assertEquals(9001, settings.port());
        assertEquals(7, settings.historySize());
        assertEquals(10, settings.maxMessageLength());
        assertEquals(Duration.ofMillis(200), settings.clubRetention());
    }

    @Test
    void contextParameterComesAfterEnvironmentAndSystemProperty() {
        Properties system = new Properties();
        system.setProperty("clubchat.history.size", "3");
        Settings settings = Settings.load(Map.of("CLUBCHAT_MESSAGE_MAX_LENGTH", "40"), system, Map.of(
                "clubchat.history.size", "5", "clubchat.message.max-length", "50", "clubchat.club.retention", "PT1S"));
        assertEquals(3, settings.historySize());
        assertEquals(40, settings.maxMessageLength());
        assertEquals(Duration.ofSeconds(1), settings.clubRetention());
    }

    @Test
    void badValueNamesTheKey() {
        var notANumber = assertThrows(Settings.InvalidSettingException.class,
                () -> Settings.load(Map.of("CLUBCHAT_FRAME_MAX_BYTES", "lots"), new Properties()));
        assertEquals("clubchat.frame.max-bytes must be a whole number, was lots", notANumber.getMessage());
        var outOfRange = assertThrows(Settings.InvalidSettingException.class,
                () -> Settings.load(Map.of("CLUBCHAT_PORT", "70000"), new Properties()));
        assertEquals("clubchat.port must be 0-65535, was 70000", outOfRange.getMessage());
    }

    @Test
    void aHistoryOfNothingCannotWorkAcrossNodes() {
        assertEquals(0, Settings.load(Map.of("CLUBCHAT_HISTORY_SIZE", "0"), new Properties()).historySize(), "in memory it can");
        var refused = assertThrows(Settings.InvalidSettingException.class, () -> Settings.load(
                Map.of("CLUBCHAT_HISTORY_SIZE", "0", "CLUBCHAT_REDIS_URI", "redis://127.0.0.1:6379"), new Properties()));
        assertEquals("clubchat.history.size must be 1 or more with clubchat.redis.uri, was 0", refused.getMessage());
    }

    @Test
    void theOutboxBudgetIsAQuarterOfTheHeapUnlessSet() {
        assertEquals(256L << 20, Settings.defaults().outboxBudget(1L << 30));
        assertEquals(5L << 20, Settings.load(Map.of("CLUBCHAT_OUTBOX_BUDGET_BYTES", String.valueOf(5L << 20)), new Properties())
                .outboxBudget(1L << 30));
        var tooSmall = assertThrows(Settings.InvalidSettingException.class,
                () -> Settings.load(Map.of("CLUBCHAT_OUTBOX_BUDGET_BYTES", "1000"), new Properties()));
        assertEquals("clubchat.outbox.budget-bytes must be 0 or at least clubchat.outbox.max-bytes, was 1000", tooSmall.getMessage());
    }

    @Test
    void tokenSecretShorterThan32BytesStopsTheStart() {
        var tooShort = assertThrows(Settings.InvalidSettingException.class,
                () -> Settings.load(Map.of("CLUBCHAT_TOKEN_SECRET", "0123456789abcdef0123456789abcde"), new Properties()));
        assertEquals("clubchat.token.secret must be empty or at least 32 bytes, was 31 bytes", tooShort.getMessage());
        String enough = "ü".repeat(16);
        assertEquals(enough, Settings.load(Map.of("CLUBCHAT_TOKEN_SECRET", enough), new Properties()).tokenSecret(),
                "32 bytes in UTF-8, though 16 characters");
    }

    @Test
    void allowedOriginsAreACommaSeparatedList() {
        Settings settings = Settings.load(Map.of("CLUBCHAT_ALLOWED_ORIGINS", " https://a.example , ,http://b.example:8080"),
                new Properties());
        assertEquals(List.of("https://a.example", "http://b.example:8080"), settings.allowedOrigins());
        assertEquals(List.of(), Settings.defaults().allowedOrigins());
    }

    @Test
    void idleTimeoutMustBeLongerThanThePingInterval() {
        var bad = assertThrows(Settings.InvalidSettingException.class,
                () -> Settings.load(Map.of("CLUBCHAT_PING_INTERVAL", "PT10S", "CLUBCHAT_IDLE_TIMEOUT", "PT5S"), new Properties()));
        assertEquals("clubchat.idle.timeout must be longer than clubchat.ping.interval, was PT5S", bad.getMessage());
    }

    @Test
    void readmeTableListsEveryKeyWithItsDefault() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (Settings.Key key : Settings.Key.values()) {
            String shownDefault = key.defaultValue().isEmpty() ? "empty" : "`" + key.defaultValue() + "`";
            String row = "| `" + key.environmentVariable() + "` | `" + key.systemProperty() + "` | " + shownDefault + " |";
            assertTrue(readme.contains(row), () -> "README.md lacks the row starting " + row);
        }
    }

    @Test
    void toStringShowsNoSecretAndNoCredentialsInAUrl() {
        String secret = "s3cr3t-0123456789-0123456789-0123456789";
        Settings settings = Settings.load(Map.of("CLUBCHAT_TOKEN_SECRET", secret, "CLUBCHAT_API_KEY", "api-key-42",
                "CLUBCHAT_REDIS_URI", "redis://default:redis-pass@127.0.0.1:6379/0",
                "CLUBCHAT_HOOKS_URL", "https://hooker:hook-pass@app.example.com/hooks"), new Properties());
        String shown = settings.toString();
        for (String hidden : List.of(secret, "api-key-42", "redis-pass", "hook-pass", "hooker", "default:")) {
            assertTrue(!shown.contains(hidden), () -> hidden + " shown in " + shown);
        }
        assertTrue(shown.contains("redisUri=redis://***@127.0.0.1:6379/0"), shown);
        assertTrue(shown.contains("hooksUrl=https://***@app.example.com/hooks"), shown);
        assertTrue(shown.contains("port=8001"), shown);
    }

    @Test
    void anInvalidUrlIsNamedWithoutItsCredentials() {
        Settings.InvalidSettingException hooks = assertThrows(Settings.InvalidSettingException.class, () -> Settings.load(
                Map.of("CLUBCHAT_HOOKS_URL", "ftp://user:pa55@host/hooks"), new Properties()));
        assertTrue(!hooks.getMessage().contains("pa55") && hooks.getMessage().contains("ftp://***@host/hooks"), hooks.getMessage());
        Settings.InvalidSettingException redis = assertThrows(Settings.InvalidSettingException.class, () -> Settings.load(
                Map.of("CLUBCHAT_REDIS_URI", "http://:pa55@host:6379"), new Properties()));
        assertTrue(!redis.getMessage().contains("pa55"), redis.getMessage());
    }

    @Test
    void aRedisClusterIsGivenByItsSeedNodes() {
        Settings cluster = Settings.load(Map.of("CLUBCHAT_REDIS_URI", "redis-cluster://:pw@10.0.0.1:7000,10.0.0.2:7001"), new Properties());
        assertEquals("redis-cluster://:pw@10.0.0.1:7000,10.0.0.2:7001", cluster.redisUri());
        for (String wrong : List.of("redis-cluster://10.0.0.1", "redis-cluster://10.0.0.1:7000,", "redis-cluster://")) {
            Settings.InvalidSettingException refused = assertThrows(Settings.InvalidSettingException.class,
                    () -> Settings.load(Map.of("CLUBCHAT_REDIS_URI", wrong), new Properties()));
            assertTrue(refused.getMessage().startsWith("clubchat.redis.uri must be a redis://, rediss:// or redis-sentinel:// URI, "
                    + "or redis-cluster://host:port[,host:port...]"), refused.getMessage());
        }
    }
}
