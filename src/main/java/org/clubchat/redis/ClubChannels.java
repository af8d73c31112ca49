package org.clubchat.redis;

import jakarta.json.JsonObject;
import java.io.StringReader;
import java.lang.System.Logger.Level;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.clubchat.protocol.JsonP;

/**
 * The node's pub/sub connection: the broadcast channel (operators' requests) and the channel of every
 * club its members are in (a shard channel on a Redis Cluster: {@link RedisLink}). A club's events go to
 * its local part on the store's events thread; each (re)subscription of a club's channel has the club
 * tell its members what presence they missed, and read what messages it missed.
 *
 * <p>{@code resubscribe} is used on the store's events thread only; {@code broadcasts} is set once, at start.
 */
final class ClubChannels implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClubChannels.class.getName());

    private final RedisClubStore store;
    private final RedisLink.PubSub pubsub;
    /** Clubs whose SUBSCRIBE Redis did not take, sent again at the next sweep. */
    private final Set<ClubKeys> resubscribe = new HashSet<>();
    private volatile Consumer<String> broadcasts = message -> { };

    /** Connects and subscribes to the broadcast channel at once. */
    ClubChannels(RedisLink link, RedisClubStore store) {
        this.store = store;
        this.pubsub = link.pubSub(ClubKeys.BROADCAST, new RedisLink.Listener() {
            @Override
            public void subscribed(String channel) {
                String clubId = ClubKeys.clubOfChannel(channel);
                if (clubId != null) {
                    store.onEvents(() -> Optional.ofNullable(store.localClub(clubId)).ifPresent(RedisClub::resync));
                }
            }

            @Override
            public void message(String channel, String message) {
                if (channel.equals(ClubKeys.BROADCAST)) {
                    broadcasts.accept(message);
                } else {
                    store.onEvents(() -> published(channel, message));
                }
            }

            @Override
            public void dropped(String channel) {
                String clubId = ClubKeys.clubOfChannel(channel);
                if (clubId != null) {
                    store.onEvents(() -> Optional.ofNullable(store.localClub(clubId)).map(RedisClub::keys).ifPresent(keys -> {
                        LOG.log(Level.DEBUG, "Redis dropped the subscription to {0} (its slot moved); subscribing again", channel);
                        subscribe(keys);
                    }));
                }
            }
        });
    }

    void onBroadcast(Consumer<String> listener) {
        broadcasts = listener;
    }

    /**
     * Subscribes to the club's channel. Lettuce subscribes again after a reconnect to what Redis confirmed,
     * but a SUBSCRIBE refused while the pub/sub connection was down (killed, Redis restarting) would leave
     * the node deaf to the club for good: it is sent again at each sweep until Redis takes it.
     */
    void subscribe(ClubKeys keys) {
        String channel = keys.channel();
        store.then(pubsub.subscribeClub(channel), (done, failure) -> {
            if (failure != null && store.localClub(keys.clubId()) != null) {
                LOG.log(Level.DEBUG, "subscribing to {0} failed, trying again: {1}", channel, failure.toString());
                resubscribe.add(keys);
            }
        });
    }

    void unsubscribe(ClubKeys keys) {
        resubscribe.remove(keys);
        pubsub.unsubscribeClub(keys.channel());
    }

    /**
     * A Redis Cluster's topology changed (a replica promoted, slots moved): every club's channel is
     * subscribed again, on the shard that holds it now; a shard that already has it changes nothing.
     */
    void resubscribeAll(List<ClubKeys> clubs) {
        clubs.forEach(this::subscribe);
    }

    /** From the sweep: the subscriptions Redis refused, sent again. */
    void retry() {
        List<ClubKeys> again = List.copyOf(resubscribe);
        resubscribe.clear();
        again.forEach(this::subscribe);
    }

    private void published(String channel, String message) {
        RedisClub club = store.localClub(Optional.ofNullable(ClubKeys.clubOfChannel(channel)).orElse(""));
        if (club != null) {
            JsonObject event = JsonP.PROVIDER.createReader(new StringReader(message)).readObject();
            club.published(event);
        }
    }

    @Override
    public void close() {
        pubsub.close();
    }
}
