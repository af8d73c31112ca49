package org.clubchat.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.clubchat.protocol.ErrorCode;

/**
 * What club-chat counts, as Micrometer meters. Names follow Prometheus conventions once exported
 * ({@code clubchat_…}, units in the name, {@code _total} on counters).
 *
 * <p>Thread-safe: meters are, and the per-tag counters are created up front or through a
 * {@link ConcurrentHashMap}, so the hot path never looks a meter up in the registry.
 */
public final class Metrics {
    /** Frame types counted by {@link #frameReceived}: the client types plus what is not one. */
    public static final String INVALID = "invalid";
    public static final String TOO_BIG = "too_big";
    public static final String BINARY = "binary";
    /** Reasons a node closes a member in Redis mode; see {@link #redisMemberClosed}. */
    public static final String GAP = "gap";
    public static final String UNCONFIRMED = "unconfirmed";

    /** Histogram buckets from a small club's microseconds to a thousand members' milliseconds. */
    private static final Duration[] FAN_OUT_BUCKETS = {
        Duration.ofNanos(10_000), Duration.ofNanos(25_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
        Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(100)};

    /** Histogram buckets from a local Redis's tenth of a millisecond to the command timeout. */
    private static final Duration[] REDIS_BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofMillis(5), Duration.ofMillis(25), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(2)};

    private final MeterRegistry registry;
    private final Counter delivered;
    private final Counter overflows;
    private final Counter shed;
    private final Counter rateLimited;
    private final Timer fanOut;
    private final Timer redisCommand;
    private final Map<String, Counter> framesByType = new ConcurrentHashMap<>();
    private final Map<ErrorCode, Counter> errorsByCode = new EnumMap<>(ErrorCode.class);
    private final Map<Integer, Counter> closesByCode = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> refusalsByStatus = new ConcurrentHashMap<>();
    private final Map<String, Counter> redisClosesByReason = new ConcurrentHashMap<>();
    private final Counter redisJoinsUndone;
    private final Counter redisFailovers;
    private final Counter redisReasserted;
    private final Map<String, Timer> hooksByName = new ConcurrentHashMap<>();
    private final Map<String, Counter> openedByProtocol = new ConcurrentHashMap<>();

    /** Registers club-chat's meters in the registry (a Prometheus one in the application). */
    public Metrics(MeterRegistry registry) {
        this.registry = registry;
        delivered = Counter.builder("clubchat.messages.delivered")
                .description("chat messages handed to members' outboxes (one per member reached)").register(registry);
        overflows = Counter.builder("clubchat.outbox.overflows")
                .description("connections closed with 1013 because they did not read").register(registry);
        shed = Counter.builder("clubchat.outbox.shed")
                .description("connections closed with 1013 to bring all outboxes back under their budget").register(registry);
        rateLimited = Counter.builder("clubchat.rate.limited").description("messages refused with rate_limited").register(registry);
        fanOut = Timer.builder("clubchat.fanout")
                .description("from accepting a chat message to handing it to the last member's outbox")
                .serviceLevelObjectives(FAN_OUT_BUCKETS)
                .register(registry);
        redisCommand = Timer.builder("clubchat.redis.command")
                .description("one club command (a script or a read) to Redis and its answer, in Redis mode")
                .serviceLevelObjectives(REDIS_BUCKETS)
                .register(registry);
        redisReasserted = Counter.builder("clubchat.redis.node.reasserted")
                .description("times this node found itself taken for dead while it lived and put its members back (Redis mode)")
                .register(registry);
        redisFailovers = Counter.builder("clubchat.redis.failovers")
                .description("times this node found Redis's primary at another address (a Sentinel failover) or a Redis Cluster's topology changed (Redis mode)")
                .register(registry);
        redisJoinsUndone = Counter.builder("clubchat.redis.joins.undone")
                .description("joins whose answer from Redis was lost, taken back out of Redis (Redis mode)").register(registry);
        for (String reason : new String[] {GAP, UNCONFIRMED}) {
            redisCloseCounter(reason);
        }
        for (ErrorCode code : ErrorCode.values()) {
            errorsByCode.put(code, Counter.builder("clubchat.errors.sent").tag("code", code.wireName())
                    .description("error replies sent, by code").register(registry));
        }
        for (String type : new String[] {"join", "leave", "chat", "ping", INVALID, TOO_BIG, BINARY}) {
            frameCounter(type);
        }
    }

    /** A gauge with one label, such as {@code protocol}. */
    public void gauge(String name, String description, String tag, String tagValue, Supplier<Number> value) {
        Gauge.builder(name, value).tag(tag, tagValue).description(description).register(registry);
    }

    /** Gauges read their value at scrape time from the part that owns it. */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /** @param protocol the connection's wire, the counter's {@code protocol} label */
    public void connectionOpened(String protocol) {
        connectionOpened(protocol, 1);
    }

    /** Counts {@code count} (0 to show the counter before the first) connections of this wire. */
    public void connectionOpened(String protocol, int count) {
        openedByProtocol.computeIfAbsent(protocol, wire -> Counter.builder("clubchat.connections.opened").tag("protocol", wire)
                .description("connections welcomed, by wire protocol").register(registry)).increment(count);
    }

    /**
     * @param closeCode the code the connection closed with; RFC 6455's own codes (1000-1015) are counted
     *                  each under its number, any other (a client may send any of 3000-4999) as {@code other},
     *                  so that clients cannot make the label's values grow without bound
     */
    public void connectionClosed(int closeCode) {
        int counted = closeCode >= 1000 && closeCode <= 1015 ? closeCode : 0;
        closesByCode.computeIfAbsent(counted, code -> Counter.builder("clubchat.connections.closed")
                .tag("code", code == 0 ? "other" : String.valueOf(code)).description("connections closed, by close code")
                .register(registry)).increment();
    }

    /** A handshake refused before the upgrade (400 name, 401 token, 403 origin). */
    public void handshakeRefused(int httpStatus) {
        refusalsByStatus.computeIfAbsent(httpStatus, status -> Counter.builder("clubchat.handshakes.refused")
                .tag("status", String.valueOf(status)).description("handshakes refused, by HTTP status").register(registry))
                .increment();
    }

    /** @param type a client message type, or {@link #INVALID}, {@link #TOO_BIG}, {@link #BINARY} */
    public void frameReceived(String type) {
        frameCounter(type).increment();
    }

    public void errorSent(ErrorCode code) {
        errorsByCode.get(code).increment();
        if (code == ErrorCode.RATE_LIMITED) {
            rateLimited.increment();
        }
    }

    public void outboxOverflowed() {
        overflows.increment();
    }

    public void connectionShed() {
        shed.increment();
    }

    public void redisCommandAnswered(long nanos) {
        redisCommand.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A member closed by its node in Redis mode, so that it re-joins with {@code since}.
     *
     * @param reason {@link #GAP}: messages left Redis's history before the node could hand them over in
     *               order; {@link #UNCONFIRMED}: Redis did not say in time whether the member's chat was stored
     */
    public void redisMemberClosed(String reason) {
        redisCloseCounter(reason).increment();
    }

    /** One call of the application's hooks ({@code join} or {@code chat}), answered, failed or timed out. */
    public void hookAnswered(String hook, long nanos) {
        hooksByName.computeIfAbsent(hook, name -> Timer.builder("clubchat.hook").tag("hook", name)
                .description("the application's hooks, from the call to the decision (a timeout counts as its limit)")
                .serviceLevelObjectives(REDIS_BUCKETS).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void redisReasserted() {
        redisReasserted.increment();
    }

    public void redisFailedOver() {
        redisFailovers.increment();
    }

    public void redisJoinUndone() {
        redisJoinsUndone.increment();
    }

    public void chatFannedOut(int deliveries, long nanos) {
        delivered.increment(deliveries);
        fanOut.record(nanos, TimeUnit.NANOSECONDS);
    }

    private Counter redisCloseCounter(String reason) {
        return redisClosesByReason.computeIfAbsent(reason, r -> Counter.builder("clubchat.redis.members.closed").tag("reason", r)
                .description("members closed by their node so that they re-join with since, by reason (Redis mode)")
                .register(registry));
    }

    private Counter frameCounter(String type) {
        return framesByType.computeIfAbsent(type, t -> Counter.builder("clubchat.frames.received").tag("type", t)
                .description("frames received, by message type").register(registry));
    }
}
