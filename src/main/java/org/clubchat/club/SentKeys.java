package org.clubchat.club;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.clubchat.protocol.SendKeys;

/**
 * The exactly-once keys of the chats a club accepted, per sender (docs/protocol.md, "Exactly-once
 * sends"), with the seq each got: kept while the message is in the club's history and for at least
 * {@link #KEEP}. Not thread-safe: the owning {@link Club}'s lock guards it.
 */
final class SentKeys {
    /** The protocol's "at least 10 minutes". */
    static final Duration KEEP = SendKeys.KEPT;

    private record Sent(String id, long seq, long atMillis) {
    }

    private final Map<String, Long> seqs = new HashMap<>();
    /** Every remembered key in seq order, which is also the order they were accepted in. */
    private final ArrayDeque<Sent> accepted = new ArrayDeque<>();

    OptionalLong find(String sender, String key) {
        Long seq = seqs.get(id(sender, key));
        return seq == null ? OptionalLong.empty() : OptionalLong.of(seq);
    }

    void remember(String sender, String key, long seq, long nowMillis) {
        String id = id(sender, key);
        seqs.put(id, seq);
        accepted.add(new Sent(id, seq, nowMillis));
    }

    /** Forgets one key at once: its message was taken back before it was stored. */
    void remove(String sender, String key) {
        String id = id(sender, key);
        seqs.remove(id);
        accepted.removeIf(sent -> sent.id().equals(id));
    }

    /** Forgets the keys whose messages have left history ({@code seq < oldestHeld}) and are older than {@link #KEEP}. */
    void forget(long oldestHeld, long nowMillis) {
        Sent oldest;
        while ((oldest = accepted.peekFirst()) != null && oldest.seq() < oldestHeld
                && nowMillis - oldest.atMillis() >= KEEP.toMillis()) {
            accepted.removeFirst();
            seqs.remove(oldest.id());
        }
    }

    /** Whether a key was accepted less than {@link #KEEP} ago: the club must not be forgotten yet. */
    boolean keepsAny(long nowMillis) {
        Sent newest = accepted.peekLast();
        return newest != null && nowMillis - newest.atMillis() < KEEP.toMillis();
    }

    /** One string per sender and key; the sender's length first, so that no two pairs make the same string. */
    private static String id(String sender, String key) {
        return sender.length() + ":" + sender + ":" + key;
    }
}
