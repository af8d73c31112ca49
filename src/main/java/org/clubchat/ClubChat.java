package org.clubchat;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.clubchat.club.ClubRegistry;
import org.clubchat.club.ClubStore;
import org.clubchat.delivery.Closes;
import org.clubchat.delivery.Transport;
import org.clubchat.endpoint.HandshakeGate;
import org.clubchat.endpoint.Transports;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.redis.RedisClubStore;
import org.clubchat.security.OriginPolicy;
import org.clubchat.security.TokenVerifier;
import org.clubchat.service.ChatService;

/**
 * The application: builds the parts from {@link Settings} and owns its threads: one timer (club sweeps,
 * keep-alive pings, token expiries), the closers, which run server-side closes off the threads that
 * decide them, and the writers of batching transports. Made by the launcher or, in a WAR, by
 * {@link org.clubchat.endpoint.ClubChatListener}; closed by the same.
 */
public final class ClubChat implements AutoCloseable {
    private static final Duration MIN_CHECK = Duration.ofMillis(10);
    private static final Duration MAX_CHECK = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final int CLOSER_THREADS = 4;
    private static final System.Logger LOG = System.getLogger(ClubChat.class.getName());

    private final Settings settings;
    private final ProtocolCodec codec;
    private final ClubStore clubs;
    private final ChatService chat;
    private final HandshakeGate gate;
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final Metrics metrics = new Metrics(meters);
    /** How new connections send; the launcher swaps in its own before it takes connections. */
    private volatile Transports transports = Transports.STANDARD;
    /** Set first thing in {@link #close}, so health answers 503 while connections are being closed. */
    private volatile boolean closing;
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("clubchat-timer"));
    /**
     * Runs closes off the threads that decide them, because a container's close may block while it writes
     * the close frame to a peer that does not read. A few threads and a queue, not a thread per close:
     * a shutdown or a mass disconnect closes thousands at once.
     */
    private final ExecutorService closer = Executors.newFixedThreadPool(CLOSER_THREADS, daemon("clubchat-closer"));
    /**
     * Sends for outboxes whose transport writes batches (the launcher's): a fan-out only queues, and
     * what piles up for a member until a writer gets to it goes out in one write. A thread per
     * processor, started on first use, so a WAR on the standard transport never starts one.
     */
    private final ExecutorService writers = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), daemon("clubchat-writer"));

    public ClubChat(Settings settings) {
        this.settings = settings;
        this.codec = new ProtocolCodec(settings.maxFrameBytes());
        this.clubs = settings.redisUri().isEmpty()
                ? new ClubRegistry(settings.historySize(), settings.clubRetention(), codec, InstantSource.system(), metrics)
                : new RedisClubStore(settings.redisUri(), settings.historySize(), settings.clubRetention(), codec,
                        InstantSource.system(), metrics);
        this.chat = new ChatService(clubs, codec, settings, timer, System::nanoTime, InstantSource.system(), metrics);
        this.gate = new HandshakeGate(new OriginPolicy(settings.allowedOrigins()),
                settings.tokenSecret().isEmpty() ? null : new TokenVerifier(settings.tokenSecret()), metrics);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        gcMetrics.bindTo(meters);
        metrics.gauge("clubchat.connections.open", "open connections", chat::openConnections);
        metrics.gauge("clubchat.clubs", "clubs held in memory, with members or within their retention", clubs::size);
        timer.setRemoveOnCancelPolicy(true);
        every(clubs.sweepInterval(), clubs::sweep);
        every(keepAliveInterval(settings.pingInterval()), chat::keepAlive);
    }

    /** Half the ping interval, within 10 ms–30 s: a silent peer is seen at most one interval late. */
    static Duration keepAliveInterval(Duration period) {
        Duration half = period.dividedBy(2);
        return half.compareTo(MIN_CHECK) < 0 ? MIN_CHECK : half.compareTo(MAX_CHECK) > 0 ? MAX_CHECK : half;
    }

    private void every(Duration interval, Runnable task) {
        timer.scheduleWithFixedDelay(task, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    public Settings settings() {
        return settings;
    }

    public ProtocolCodec codec() {
        return codec;
    }

    public ChatService chat() {
        return chat;
    }

    public ClubStore clubs() {
        return clubs;
    }

    public HandshakeGate gate() {
        return gate;
    }

    public Metrics metrics() {
        return metrics;
    }

    /** Every meter, club-chat's and the JVM's, in the Prometheus text format (version 0.0.4). */
    public String scrapeMetrics() {
        return meters.scrape();
    }

    /** False once closing has begun: load balancers should send no one here any more. */
    public boolean isServing() {
        return !closing;
    }

    /** What keeps the node from serving chat now (Redis away), or empty. */
    public Optional<String> problem() {
        return clubs.problem();
    }

    public Transports transports() {
        return transports;
    }

    public void useTransports(Transports transports) {
        this.transports = transports;
    }

    /** Where an outbox over this transport sends: on the writers if it batches, else where offered. */
    public Executor senderFor(Transport transport) {
        return transport.batchBytes() > 0 ? writers : Runnable::run;
    }

    /** Where outboxes run the closes they decide. */
    public ExecutorService closer() {
        return closer;
    }

    /**
     * Runs a task on a closer thread, which holds no club's lock; during shutdown, once the closers have
     * stopped, on the calling thread.
     */
    public void offClubLocks(Runnable task) {
        try {
            closer.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * Closes every connection with 1001 and stops the threads, waiting for them to end: a container
     * that undeploys the WAR checks for threads left behind.
     */
    @Override
    public void close() {
        closing = true;
        chat.closeAll(Closes.SHUTDOWN);
        timer.shutdownNow();
        closer.shutdown();
        try {
            boolean stopped = closer.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            writers.shutdown();
            stopped &= writers.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    && timer.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!stopped) {
                LOG.log(System.Logger.Level.WARNING, "club-chat threads did not stop within {0}", STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clubs.close();
        gcMetrics.close();
        meters.close();
    }
}
