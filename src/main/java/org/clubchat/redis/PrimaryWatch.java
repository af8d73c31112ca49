package org.clubchat.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Notices a failover: a data connection (commands, heartbeat or pub/sub) that comes back to another
 * address than the one before, as after Sentinel promoted a replica. The connections Lettuce opens to
 * the sentinels themselves, to ask where the primary is, are not Redis's primary and are passed over.
 *
 * <p>{@code primary} is an atomic reference: Lettuce's I/O threads report connections, several at once
 * after a failover, and only the first to find the new address reports the failover.
 */
final class PrimaryWatch implements RedisConnectionStateListener {
    private static final System.Logger LOG = System.getLogger(PrimaryWatch.class.getName());

    private final AtomicReference<SocketAddress> primary = new AtomicReference<>();
    private final Runnable failedOver;

    /** @param failedOver what follows a failover (the last writes to the old primary may not have reached the new one) */
    PrimaryWatch(Runnable failedOver) {
        this.failedOver = failedOver;
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
        if (connection instanceof StatefulRedisSentinelConnection<?, ?> || address == null) {
            return;
        }
        SocketAddress before = primary.getAndSet(address);
        if (before != null && !before.equals(address)) {
            LOG.log(Level.WARNING, "Redis failed over: its primary moved from {0} to {1}; putting this node''s members back "
                    + "in case the last writes did not reach the new primary", before, address);
            failedOver.run();
        }
    }
}
