package org.clubchat;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.clubchat.club.ClubRegistry;
import org.clubchat.delivery.Closes;
import org.clubchat.endpoint.HandshakeGate;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.service.ChatService;

/**
 * The application: builds the parts from {@link Settings} and owns the one timer thread. Made by the
 * launcher or, in a WAR, by {@link org.clubchat.endpoint.ClubChatListener}; closed by the same.
 */
public final class ClubChat implements AutoCloseable {
    private static final Duration MIN_SWEEP = Duration.ofMillis(50);
    private static final Duration MAX_SWEEP = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final System.Logger LOG = System.getLogger(ClubChat.class.getName());

    private final Settings settings;
    private final ProtocolCodec codec;
    private final ClubRegistry registry;
    private final ChatService chat;
    private final HandshakeGate gate = new HandshakeGate();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "clubchat-timer");
        thread.setDaemon(true);
        return thread;
    });

    public ClubChat(Settings settings) {
        this.settings = settings;
        this.codec = new ProtocolCodec(settings.maxFrameBytes());
        this.registry = new ClubRegistry(settings.historySize(), settings.clubRetention(), codec, InstantSource.system());
        this.chat = new ChatService(registry, codec, settings.maxMessageLength());
        long sweepMillis = sweepInterval(settings.clubRetention()).toMillis();
        timer.scheduleWithFixedDelay(registry::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /** Half the retention, within 50 ms–30 s: an empty club is forgotten at most one interval after its retention. */
    static Duration sweepInterval(Duration retention) {
        Duration half = retention.dividedBy(2);
        return half.compareTo(MIN_SWEEP) < 0 ? MIN_SWEEP : half.compareTo(MAX_SWEEP) > 0 ? MAX_SWEEP : half;
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

    public ClubRegistry registry() {
        return registry;
    }

    public HandshakeGate gate() {
        return gate;
    }

    /**
     * Closes every connection with 1001 and stops the timer, waiting for its thread to end: a container
     * that undeploys the WAR checks for threads left behind.
     */
    @Override
    public void close() {
        chat.closeAll(Closes.SHUTDOWN);
        timer.shutdownNow();
        try {
            if (!timer.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "the clubchat-timer thread did not stop within {0}", STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
