package org.clubchat.club;

import java.util.OptionalLong;

/**
 * What a join's {@code since} and {@code epoch} ask to be replayed, decided once for every club store
 * (docs/protocol.md, "History, epochs and recovery"): nothing without {@code since}; everything held when
 * the client last saw another run of the club (and not recovered); nothing when {@code since} is ahead
 * of the club (not recovered); else the messages after {@code since}, recovered only if the store still
 * holds the first of them.
 *
 * @param asked whether the join carried {@code since} at all
 * @param from  the first seq to replay; past the club's seq when there is nothing to replay
 * @param lost  whether the client's past in the club is known to be lost whatever the store holds
 */
public record Replay(boolean asked, long from, boolean lost) {
    private static final Replay NOT_ASKED = new Replay(false, Long.MAX_VALUE, false);

    /**
     * @param since     the last seq the client saw, if it says
     * @param lastEpoch the epoch it saw them in, or null
     * @param epoch     the club's epoch now
     * @param seq       the club's last seq now
     */
    public static Replay of(OptionalLong since, String lastEpoch, String epoch, long seq) {
        if (since.isEmpty()) {
            return NOT_ASKED;
        }
        long after = since.getAsLong();
        if (lastEpoch != null && !lastEpoch.equals(epoch)) {
            return new Replay(true, 1, true);
        }
        if (after > seq) {
            return new Replay(true, seq + 1, true);
        }
        return new Replay(true, after + 1, false);
    }

    /** Whether any message up to {@code seq} is to be replayed. */
    public boolean replaysUpTo(long seq) {
        return asked && from <= seq;
    }

    /**
     * The {@code recovered} field of {@code joined}: null when not asked.
     *
     * @param firstHeld the lowest seq at or after {@link #from} that the store still holds, or the club's
     *                  seq + 1 when it holds none of them
     */
    public Boolean recovered(long firstHeld) {
        return asked ? !lost && firstHeld <= from : null;
    }

    /**
     * The {@code firstSeq} of {@code joined}, for a store that learns the club's oldest seq and reads the
     * replay in two steps (Redis): history trimmed past {@link #from} in between makes the first seq read
     * the oldest held, so that the client's lost range ({@code since + 1 … firstSeq − 1}) covers all it
     * does not get.
     *
     * @param oldestWhenJoined the oldest seq the store held when the join was made
     * @param firstHeld        as for {@link #recovered}
     */
    public long firstSeq(long oldestWhenJoined, long firstHeld) {
        return asked && firstHeld > from ? Math.max(oldestWhenJoined, firstHeld) : oldestWhenJoined;
    }
}
