package org.clubchat;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.clubchat.club.ClubRegistry;
import org.clubchat.club.ClubStore;
import org.clubchat.club.PresenceLimit;
import org.clubchat.club.MessageLog;
import org.clubchat.db.Databases;
import org.clubchat.delivery.Closes;
import org.clubchat.delivery.BlockingPool;
import org.clubchat.delivery.OutboxBudget;
import org.clubchat.delivery.Transport;
import org.clubchat.hooks.ClubChatHooks;
import org.clubchat.hooks.HttpHooks;
import org.clubchat.metrics.Metrics;
import org.clubchat.ops.OpsApi;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.redis.RedisClubStore;
import org.clubchat.security.HandshakeGate;
import org.clubchat.security.OriginPolicy;
import org.clubchat.socketio.ChatNamespace;
import org.clubchat.socketio.EngineOptions;
import org.clubchat.socketio.EngineServer;
import org.clubchat.socketio.SocketIoServer;
import org.clubchat.socketio.SocketPacket;
import org.clubchat.security.TokenVerifier;
import org.clubchat.service.ChatService;
import org.clubchat.service.Connections;
import org.clubchat.service.Gateway;
import org.clubchat.service.HookRunner;
import org.clubchat.service.KeepAlive;
import org.clubchat.service.Publisher;
import org.clubchat.service.StalledSends;

/**
 * The composition root: builds the parts from {@link Settings}, wires them, and owns their threads and
 * their lifecycle. Made by the launcher or, in a WAR, by the servlet listener; closed by the same.
 * Adapters take from it only the few parts they use: the {@link Gateway} for connections, the
 * {@link HandshakeGate} for handshakes, the codec for their decoders and the {@link OpsApi}.
 *
 * <p>The threads club-chat owns, all daemons, all here (the Redis store adds its own, see
 * {@link RedisClubStore}):
 * <ul>
 * <li>{@code clubchat-timer}, one: club sweeps (in Redis mode, each club's check for missed messages and unanswered requests), keep-alive pings and idle
 * closes, token expiries;
 * <li>{@code clubchat-writer}, one per processor: the sends of outboxes whose transport does not block
 * (the launcher's), so that a fan-out under a club's lock only queues, and what piles up for a member
 * goes out in one write;
 * <li>{@code clubchat-sender}, {@link #BLOCKING_WRITERS} and one more for each send that a client that
 * stopped reading holds ({@link BlockingPool}), up to {@link #MAX_BLOCKING_WRITERS}: the same for
 * transports whose sends block (the WAR's); such a send holds its thread until the container gives up
 * on the write (Tomcat) or the connection is closed ({@link StalledSends}, after 10 s);
 * <li>{@code clubchat-hooks}, up to {@link #HOOK_THREADS}, only with hooks: the application's hooks,
 * which may block on its backend; when all are busy, calls wait in a queue of {@link #HOOK_QUEUE}
 * (a reconnect storm asks the connect hook once per client) and get the failure policy if their time
 * runs out there or the queue is full;
 * <li>{@code clubchat-closer}, four and one more for each close stuck on a peer that does not read, up
 * to {@link #MAX_CLOSER_THREADS}: leaving the clubs, then the container's close, which may block while
 * it writes the close frame. A few threads and a queue, not a thread per close: a shutdown or a mass
 * disconnect closes thousands at once.
 * </ul>
 */
public final class ClubChat implements AutoCloseable {
    /** No timer task runs more often or more rarely than this, whatever the settings ask. */
    private static final Duration MIN_PERIOD = Duration.ofMillis(10);
    private static final Duration MAX_PERIOD = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration SEND_GRACE = Duration.ofSeconds(1);
    private static final int CLOSER_THREADS = 4;
    private static final int MAX_CLOSER_THREADS = 16 * CLOSER_THREADS;
    private static final int HOOK_THREADS = 64;
    private static final int HOOK_QUEUE = 10_000;
    private static final int BLOCKING_WRITERS = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
    /** With as many clients stuck at once beyond the base, the others wait again for their sends to fail. */
    private static final int MAX_BLOCKING_WRITERS = 16 * BLOCKING_WRITERS;
    private static final System.Logger LOG = System.getLogger(ClubChat.class.getName());

    /**
     * The threads of the pools {@link #close} waits for, which it joins besides: a pool counts as terminated
     * while its last threads are still exiting, and a container checks for them right after. A concurrent
     * set: the pools' threads add themselves as they are made.
     */
    private final Set<Thread> poolThreads = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, joined("clubchat-timer"));
    private final ExecutorService writers = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), joined("clubchat-writer"));
    private final BlockingPool blockingWriters = new BlockingPool("clubchat-sender", BLOCKING_WRITERS, MAX_BLOCKING_WRITERS, this::track);
    private final BlockingPool closers = new BlockingPool("clubchat-closer", CLOSER_THREADS, MAX_CLOSER_THREADS, this::track);
    private final ThreadPoolExecutor hookThreads = hookExecutor();

    private final Settings settings;
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final ProtocolCodec codec;
    private final ClubStore clubs;
    private final Connections connections;
    private final Gateway gateway;
    private final HandshakeGate handshakes;
    private final OpsApi ops;
    private final EngineServer socketIo;
    /** Set first thing in {@link #close}, so health answers 503 while connections are being closed. */
    private volatile boolean closing;

    public ClubChat(Settings settings) {
        this.settings = settings;
        Metrics metrics = new Metrics(meters);
        this.codec = new ProtocolCodec(settings.maxFrameBytes());
        this.clubs = settings.redisUri().isEmpty()
                ? new ClubRegistry(settings.maxHeldClubs(), settings.historySize(), settings.clubRetention(), codec,
                        InstantSource.system(), metrics, settings.durable() ? messageLog(settings) : null, settings.replayMax(),
                        presenceLimit(settings))
                : redisStore(settings, metrics);
        this.connections = new Connections(settings.limits(), timer, System::nanoTime, InstantSource.system(), metrics);
        clubs.onBroadcast(message -> Optional.ofNullable(Connections.Disconnect.parse(message)).ifPresent(connections::disconnect));
        TokenVerifier tokens = settings.tokenMode() ? new TokenVerifier(settings.tokenSecret(), settings.tokenJwksUrl(),
                settings.tokenIssuer(), settings.tokenAudience()) : null;
        ChatService chat = new ChatService(clubs, codec, settings.limits(), System::nanoTime, metrics, connections, tokens,
                new HookRunner(hooks(settings), hookThreads, timer, settings.hooksTimeout(), settings.hooksAllowOnFailure(), metrics));
        OutboxBudget budget = new OutboxBudget(settings.outboxBudget(Runtime.getRuntime().maxMemory()), closers, connections::shedLargestBacklogs);
        this.gateway = new Gateway(connections, chat, settings.limits(), metrics, writers, blockingWriters, closers, budget);
        this.handshakes = new HandshakeGate(new OriginPolicy(settings.allowedOrigins()), tokens, metrics);
        this.ops = new OpsApi(settings.apiKey(), () -> !closing, connections, clubs, new Publisher(clubs, settings.limits()), codec, meters::scrape,
                settings.tokenMode() ? settings.pageTokenUrl() : null,
                settings.opsProtected());
        this.socketIo = new EngineServer(
                // A session becomes at most one connection, and as many may be on their way to one: twice the
                // connection limit bounds what handshakes alone can hold, and lets a full server say so in CONNECT.
                new EngineOptions(settings.socketIoPingInterval(), settings.socketIoPingTimeout(), settings.maxFrameBytes(),
                        EngineOptions.DEFAULT_UPGRADE_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, 2L * settings.maxConnections())),
                new SocketIoServer(Map.of(SocketPacket.MAIN, new ChatNamespace(gateway, handshakes, codec)),
                        SocketIoServer.DEFAULT_CONNECT_TIMEOUT),
                new OriginPolicy(settings.allowedOrigins()), timer, blockingWriters);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        gcMetrics.bindTo(meters);
        for (String protocol : List.of(Transport.NATIVE, Transport.SOCKET_IO)) {
            metrics.gauge("clubchat.connections.open", "open connections, by wire protocol", "protocol", protocol,
                    () -> connections.size(protocol));
            metrics.connectionOpened(protocol, 0);
        }
        metrics.gauge("clubchat.socketio.sessions", "Engine.IO sessions, connected to a namespace or not yet", () -> socketIo.size());
        metrics.gauge("clubchat.outbox.queued.bytes", "bytes queued in all outboxes together", budget::queued);
        metrics.gauge("clubchat.hooks.queued", "hook calls waiting for a free clubchat-hooks thread", () -> hookThreads.getQueue().size());
        metrics.gauge("clubchat.sends.stuck", "blocking sends waiting 50 ms or more for their client (one that stopped reading holds one)",
                blockingWriters::stuck);
        metrics.gauge("clubchat.sender.threads", "clubchat-sender threads, one more for each stuck send", blockingWriters::getPoolSize);
        metrics.gauge("clubchat.closes.stuck", "closes under way for 50 ms or more (the container writes to a peer that does not read)",
                closers::stuck);
        metrics.gauge("clubchat.clubs", "clubs held in memory, with members or within their retention", clubs::size);
        timer.setRemoveOnCancelPolicy(true);
        every(clubs.sweepInterval(), clubs::sweep);
        // Half the ping interval: a silent peer is seen at most one interval late.
        every(settings.pingInterval().dividedBy(2), new KeepAlive(connections, settings.limits(), System::nanoTime));
        every(Duration.ofSeconds(1), new StalledSends(connections, System::nanoTime));
        every(BlockingPool.ADJUST_EVERY, () -> {
            blockingWriters.adjust();
            closers.adjust();
        });
    }

    /** The history store: the container's DataSource when a JNDI name is set, else a pool of its own. */
    private static MessageLog messageLog(Settings settings) {
        return settings.dbJndi().isEmpty()
                ? Databases.pooled(settings.dbUrl(), settings.dbUser(), settings.dbPassword(), settings.dbMigrate(),
                        settings.historyRetention())
                : Databases.fromJndi(settings.dbJndi(), settings.dbMigrate(), settings.historyRetention());
    }

    /** The Redis store; a URI Lettuce cannot read is reported without the credentials it may carry. */
    private RedisClubStore redisStore(Settings settings, Metrics metrics) {
        MessageLog log = settings.durable() ? messageLog(settings) : null;
        try {
            return new RedisClubStore(settings.redisUri(), settings.historySize(), settings.clubRetention(), codec,
                    InstantSource.system(), metrics, log, settings.replayMax(), presenceLimit(settings));
        } catch (RuntimeException e) {
            if (log != null) {
                log.close();
            }
            throw e instanceof IllegalArgumentException ? invalidRedisUri(settings) : e;
        }
    }

    private static Settings.InvalidSettingException invalidRedisUri(Settings settings) {
        return new Settings.InvalidSettingException(Settings.Key.REDIS_URI.systemProperty()
                + " must be a Redis URI (redis://HOST:PORT), was " + Settings.withoutCredentials(settings.redisUri()));
    }

    /** The presence limit, whose counts that are due later run on the timer. */
    private PresenceLimit presenceLimit(Settings settings) {
        return new PresenceLimit(settings.presenceLimit(), (task, delayMillis) -> timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS));
    }

    /** Runs the task every {@code period}, kept within 10 ms–30 s. */
    private void every(Duration period, Runnable task) {
        long millis = Math.min(MAX_PERIOD.toMillis(), Math.max(MIN_PERIOD.toMillis(), period.toMillis()));
        timer.scheduleWithFixedDelay(task, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Up to {@link #HOOK_THREADS} threads, which end after a minute idle, and a bounded queue behind them. */
    private static ThreadPoolExecutor hookExecutor() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(HOOK_THREADS, HOOK_THREADS, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(HOOK_QUEUE), daemon("clubchat-hooks"));
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /** The hooks on the class path (ServiceLoader), then the HTTP one when a backend is set. */
    private static List<ClubChatHooks> hooks(Settings settings) {
        List<ClubChatHooks> hooks = new ArrayList<>();
        ServiceLoader.load(ClubChatHooks.class, ClubChat.class.getClassLoader()).forEach(hooks::add);
        if (!settings.hooksUrl().isEmpty()) {
            hooks.add(new HttpHooks(URI.create(settings.hooksUrl()), settings.hooksTimeout()));
        }
        hooks.forEach(hook -> LOG.log(Level.INFO, "hooks: {0}", hook.getClass().getName()));
        return hooks;
    }

    /** Daemon threads that {@link #close} joins. */
    private ThreadFactory joined(String name) {
        ThreadFactory daemon = daemon(name);
        return task -> {
            Thread thread = daemon.newThread(task);
            track(thread);
            return thread;
        };
    }

    /** A thread {@link #close} joins; those that ended (the extra senders come and go) are forgotten. */
    private void track(Thread thread) {
        poolThreads.removeIf(ended -> ended.getState() == Thread.State.TERMINATED);
        poolThreads.add(thread);
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

    /** Where adapters open connections and report what happens on them. */
    public Gateway gateway() {
        return gateway;
    }

    /** Decides handshakes: origin, name or token. */
    public HandshakeGate handshakes() {
        return handshakes;
    }

    /** The one codec, for the adapters' decoders. */
    public ProtocolCodec codec() {
        return codec;
    }

    /** socket.io's server, for the adapters to serve at {@code /socket.io/}. */
    public EngineServer socketIo() {
        return socketIo;
    }

    /** The timer and the blocking writers, for a test's own Engine.IO servers (the conformance profile). */
    public ScheduledExecutorService timer() {
        return timer;
    }

    public Executor blockingWriters() {
        return blockingWriters;
    }

    /** {@code /health}, {@code /metrics} and the publish API, for the adapters' HTTP handlers. */
    public OpsApi ops() {
        return ops;
    }

    /** The club store; operations read it through {@link #ops}, tests directly. */
    public ClubStore clubs() {
        return clubs;
    }

    /**
     * Closes every connection with 1001 and stops the threads, waiting for them to end: a container
     * that undeploys the WAR checks for threads left behind. A send still blocked on a client that does
     * not read after {@link #SEND_GRACE} is interrupted: its connection is being closed anyway.
     */
    @Override
    public void close() {
        closing = true;
        connections.closeAll(Closes.SHUTDOWN);
        socketIo.closeAll();
        timer.shutdownNow();
        closers.shutdown();
        hookThreads.shutdownNow();
        writers.shutdown();
        blockingWriters.shutdown();
        try {
            boolean stopped = closers.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    && writers.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!blockingWriters.awaitTermination(SEND_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                blockingWriters.shutdownNow();
                stopped &= blockingWriters.awaitTermination(SEND_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
            stopped &= timer.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
            for (Thread thread : poolThreads) {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                stopped &= !thread.isAlive();
            }
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
