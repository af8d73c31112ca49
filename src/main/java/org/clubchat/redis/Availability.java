package org.clubchat.redis;

import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Whether Redis answers, as the node last saw it: logged once when it goes away and once when it is
 * back, never once per message. An atomic flag: any thread may report, {@code /health} reads it.
 */
final class Availability {
    private static final System.Logger LOG = System.getLogger(Availability.class.getName());
    private final AtomicBoolean available = new AtomicBoolean(true);

    void lost(RuntimeException failure) {
        if (available.compareAndSet(true, false)) {
            LOG.log(Level.WARNING, "Redis is unavailable; chat messages get `unavailable` until it is back: {0}",
                    failure.toString());
        }
    }

    void answered() {
        if (available.compareAndSet(false, true)) {
            LOG.log(Level.INFO, "Redis is back");
        }
    }

    /** Why the node cannot serve chat now, or empty when Redis answers. */
    Optional<String> problem() {
        return available.get() ? Optional.empty() : Optional.of("redis unavailable");
    }
}
