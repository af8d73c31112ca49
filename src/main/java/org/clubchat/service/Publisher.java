package org.clubchat.service;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.clubchat.club.ClubStore;
import org.clubchat.club.MessageLog;
import org.clubchat.protocol.ClubIds;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.Names;
import org.clubchat.protocol.SendKeys;

/**
 * Messages from a backend (the HTTP publish API) into a club: checked by the rules a member's chat meets,
 * then delivered to every member as an ordinary {@code chat} with the club's next seq. Holds only final
 * references: thread-safe.
 */
public final class Publisher {
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(5);

    private final ClubStore clubs;
    private final Limits limits;

    public Publisher(ClubStore clubs, Limits limits) {
        this.clubs = clubs;
        this.limits = limits;
    }

    /** What became of a message published from outside the club. */
    public sealed interface Publication {
    }

    /** Stored with {@code seq}; {@code duplicate} when an earlier publish with the same key stored it. */
    public record Published(long seq, boolean duplicate) implements Publication {
    }

    public record Refused(ErrorCode code, String detail) implements Publication {
    }

    /**
     * Publishes the message; with a key, a resend after a lost answer is stored once (the API's keys, as
     * a sender's).
     *
     * @param key the publisher's exactly-once key, or null
     */
    public Publication publish(String clubId, String from, String message, String key) {
        if (!ClubIds.isValid(clubId)) {
            return new Refused(ErrorCode.INVALID_CLUB, ClubIds.RULE);
        }
        if (!Names.isValid(from)) {
            return new Refused(ErrorCode.BAD_REQUEST, "from must be 1-32 characters without control characters");
        }
        if (!Names.isWellFormed(message)) {
            return new Refused(ErrorCode.BAD_REQUEST, "message must be Unicode text: it has an unpaired surrogate");
        }
        String tooLong = limits.messageLengthProblem(message);
        if (tooLong != null) {
            return new Refused(ErrorCode.TOO_LONG, tooLong);
        }
        if (key != null && !SendKeys.isValid(key)) {
            return new Refused(ErrorCode.BAD_REQUEST, SendKeys.RULE);
        }
        try {
            ClubStore.Stored stored = clubs.publish(clubId, from, message, key).toCompletableFuture()
                    .get(PUBLISH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new Published(stored.seq(), stored.duplicate());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ClubStore.Full full) {
                return new Refused(ErrorCode.UNAVAILABLE, full.getMessage() + "; the message was not stored");
            }
            if (e.getCause() instanceof MessageLog.Refused || e.getCause() instanceof MessageLog.OutOfStep
                    || e.getCause() instanceof ClubStore.Unavailable) {
                return new Refused(ErrorCode.UNAVAILABLE, "the store could not take it just now; the message was not stored");
            }
            return storeDidNotAnswer(key);
        } catch (TimeoutException e) {
            return storeDidNotAnswer(key);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Refused(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    private static Refused storeDidNotAnswer(String key) {
        return new Refused(ErrorCode.UNAVAILABLE, key == null
                ? "no answer from the store: the message may or may not have been stored (a key makes a resend safe)"
                : "no answer from the store: the message may have been stored; resend it with the same key");
    }
}
