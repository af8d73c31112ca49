package org.clubchat.club;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.clubchat.delivery.Close;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.clubchat.metrics.Metrics;
import org.clubchat.delivery.Delivery;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;
import org.junit.jupiter.api.Test;

/** Clubs and the registry driven directly, with a recording delivery and a manual clock. */
class ClubTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    private final ClubRegistry registry = new ClubRegistry(3, Duration.ofSeconds(60), new ProtocolCodec(65536), clock,
            new Metrics(new SimpleMeterRegistry()));

    /** A delivery that keeps what it is offered. */
    private static final class Recorder implements Delivery {
        final List<ServerMessage> received = new ArrayList<>();

        @Override
        public boolean offer(Frame frame) {
            received.add(frame.message());
            return true;
        }

        @Override
        public void close(Close reason) {
        }

        <T> List<T> of(Class<T> type) {
            return received.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    /** Joins connection {@code id} as {@code name} to club "c", without since. */
    private Club join(String id, String name, Recorder recorder) {
        return registry.join("c", new Member(id, name, recorder), OptionalLong.empty(), null, null);
    }

    @Test
    void chatTakesGaplessSeqsAndReachesEveryoneButTheSender() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Club club = join("1", "alice", a);
        join("2", "bob", b);
        club.chat("1", "x", null, "r", System.nanoTime());
        club.chat("2", "y", null, null, System.nanoTime());
        assertEquals(List.of(1L), b.of(ServerMessage.Chat.class).stream().map(ServerMessage.Chat::seq).toList());
        assertEquals(List.of(2L), a.of(ServerMessage.Chat.class).stream().map(ServerMessage.Chat::seq).toList());
        assertEquals(List.of(1L), a.of(ServerMessage.Ack.class).stream().map(ServerMessage.Ack::seq).toList());
        assertEquals(1_000, b.of(ServerMessage.Chat.class).get(0).ts());
    }

    @Test
    void historyReplaysOnlyWhatItHolds() {
        Recorder a = new Recorder();
        Club club = join("1", "alice", a);
        for (int i = 0; i < 5; i++) {
            club.chat("1", "m" + i, null, null, System.nanoTime());
        }
        Recorder b = new Recorder();
        registry.join("c", new Member("2", "bob", b), OptionalLong.of(0), club.epoch(), null);
        ServerMessage.Joined joined = b.of(ServerMessage.Joined.class).get(0);
        assertFalse(joined.recovered());
        assertEquals(5, joined.seq());
        assertEquals(3, joined.firstSeq(), "the oldest seq history holds: 1 and 2 are lost");
        assertEquals(List.of(3L, 4L, 5L), b.of(ServerMessage.Chat.class).stream().map(ServerMessage.Chat::seq).toList());
        assertEquals(ServerMessage.Joined.class, b.received.get(0).getClass(), "joined comes before the replay");
    }

    @Test
    void emptyClubIsRetiredOnlyAfterRetentionAndThenRecreatedWithANewEpoch() {
        Recorder a = new Recorder();
        Club first = join("1", "alice", a);
        first.chat("1", "something to keep", null, null, System.nanoTime());
        first.leave("1", null, null);
        now.addAndGet(59_999);
        registry.sweep();
        assertTrue(registry.view("c").isPresent());
        now.addAndGet(1);
        registry.sweep();
        assertFalse(registry.view("c").isPresent());

        Club second = join("1", "alice", a);
        assertNotSame(first, second);
        assertNotEquals(first.epoch(), second.epoch());
    }

    @Test
    void joinThatMeetsARetiredClubRetriesWithAFreshOne() {
        Recorder a = new Recorder();
        Club first = join("1", "alice", a);
        first.chat("1", "something to keep", null, null, System.nanoTime());
        first.leave("1", null, null);
        now.addAndGet(60_000);
        assertTrue(first.retireIfIdle(now.get(), 60_000), "retired, but still in the map");
        Club second = join("2", "bob", a);
        assertNotSame(first, second);
        assertSame(second, join("3", "carol", a));
    }

    @Test
    void membersAreDistinctNames() {
        Recorder a = new Recorder();
        join("1", "bob", a);
        join("2", "alice", a);
        join("3", "alice", a);
        List<ServerMessage.Joined> joins = a.of(ServerMessage.Joined.class);
        assertEquals(List.of("alice", "bob"), joins.get(2).members());
        assertEquals(1, a.of(ServerMessage.Presence.class).size(), "alice arrives once");
    }

    @Test
    void resendOfAKeyIsAcknowledgedAsADuplicateAndReachesNobodyAgain() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Club club = join("1", "alice", a);
        join("2", "bob", b);
        club.chat("1", "안녕", "k1", "r1", System.nanoTime());
        club.chat("1", "안녕", "k1", "r2", System.nanoTime());
        assertEquals(List.of(new ServerMessage.Ack("c", 1, false), new ServerMessage.Ack("c", 1, true)),
                a.of(ServerMessage.Ack.class));
        assertEquals(1, b.of(ServerMessage.Chat.class).size(), "stored and delivered once");
    }

    @Test
    void keysBelongToOneSenderInOneClub() {
        Recorder a = new Recorder();
        Club club = registry.join("c", new Member("1", "alice", "sub-1", a), OptionalLong.empty(), null, null);
        Club phone = registry.join("c", new Member("3", "alice on the phone", "sub-1", a), OptionalLong.empty(), null, null);
        registry.join("c", new Member("2", "bob", "sub-2", a), OptionalLong.empty(), null, null);
        Club other = registry.join("d", new Member("1", "alice", "sub-1", a), OptionalLong.empty(), null, null);
        club.chat("1", "m", "same", null, System.nanoTime());
        club.chat("2", "m", "same", null, System.nanoTime());
        phone.chat("3", "m", "same", null, System.nanoTime());
        other.chat("1", "m", "same", null, System.nanoTime());
        assertEquals(List.of(new ServerMessage.Ack("c", 1, false), new ServerMessage.Ack("c", 2, false),
                new ServerMessage.Ack("c", 1, true), new ServerMessage.Ack("d", 1, false)), a.of(ServerMessage.Ack.class),
                "another sender's key is its own; the same sender's other connection finds it; another club is another place");
    }

    @Test
    void keyIsKeptWhileItsMessageIsInHistoryAndForTenMinutes() {
        Recorder a = new Recorder();
        Club club = join("1", "alice", a);
        club.chat("1", "old", "k-old", null, System.nanoTime());
        for (int i = 0; i < 3; i++) {
            club.chat("1", "more", null, null, System.nanoTime());
        }
        club.chat("1", "old", "k-old", null, System.nanoTime());
        assertEquals(new ServerMessage.Ack("c", 1, true), last(a), "out of history (3), but younger than 10 minutes");
        club.chat("1", "recent", "k-recent", null, System.nanoTime());
        now.addAndGet(SentKeys.KEEP.toMillis());
        club.chat("1", "old", "k-old", null, System.nanoTime());
        assertEquals(new ServerMessage.Ack("c", 6, false), last(a), "out of history and 10 minutes old: a new message");
        club.chat("1", "recent", "k-recent", null, System.nanoTime());
        assertEquals(new ServerMessage.Ack("c", 5, true), last(a), "10 minutes old but still in history");
    }

    @Test
    void emptyClubWithAYoungKeyIsNotForgotten() {
        Recorder a = new Recorder();
        Club club = join("1", "alice", a);
        club.chat("1", "m", "k", null, System.nanoTime());
        club.leave("1", null, null);
        now.addAndGet(60_000);
        registry.sweep();
        assertTrue(registry.view("c").isPresent(), "past its retention, but a resend must still find its key");
        Club again = join("1", "alice", a);
        assertSame(club, again);
        again.chat("1", "m", "k", null, System.nanoTime());
        assertEquals(new ServerMessage.Ack("c", 1, true), last(a));
        again.leave("1", null, null);
        now.addAndGet(SentKeys.KEEP.toMillis());
        registry.sweep();
        assertFalse(registry.view("c").isPresent());
    }

    private static ServerMessage.Ack last(Recorder recorder) {
        List<ServerMessage.Ack> acks = recorder.of(ServerMessage.Ack.class);
        return acks.get(acks.size() - 1);
    }

    /** A join and a leave, or a connection that closes, must not keep a club alive: it is forgotten at once. */
    @Test
    void clubLeftWithoutAMessageIsForgottenAtOnce() {
        Recorder a = new Recorder();
        Club club = join("1", "alice", a);
        club.leave("1", null, null);
        assertFalse(registry.view("c").isPresent(), "left: forgotten");
        assertEquals(0, registry.size());
        Club again = join("1", "alice", a);
        assertNotSame(club, again);
        again.disconnect("1");
        assertEquals(0, registry.size(), "disconnected: forgotten too");
    }

    @Test
    void theRegistryHoldsNoMoreThanItsLimitOfClubs() {
        ClubRegistry two = new ClubRegistry(2, 3, Duration.ofSeconds(60), new ProtocolCodec(65536), clock,
                new Metrics(new SimpleMeterRegistry()));
        Recorder a = new Recorder();
        Club one = two.join("one", new Member("1", "alice", a), OptionalLong.empty(), null, null);
        one.chat("1", "kept", null, null, System.nanoTime());
        Club quiet = two.join("two", new Member("1", "alice", a), OptionalLong.empty(), null, null);
        assertThrows(ClubStore.Full.class, () -> two.join("three", new Member("1", "alice", a), OptionalLong.empty(), null, null));
        assertThrows(ExecutionException.class, () -> two.publish("three", "api", "m", null).toCompletableFuture().get());
        assertSame(one, two.join("one", new Member("2", "bob", a), OptionalLong.empty(), null, null), "a club it holds takes joins");
        quiet.disconnect("1");
        two.join("three", new Member("1", "alice", a), OptionalLong.empty(), null, null);
        assertEquals(2, two.size());
    }

    private static List<Long> deleted(Recorder recorder) {
        return recorder.of(ServerMessage.Deleted.class).stream().map(ServerMessage.Deleted::seq).toList();
    }

    @Test
    void aSenderDeletesItsOwnMessageForEveryoneAndItStaysDeletedInReplayAndHistory() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Club club = join("1", "alice", a);
        join("2", "bob", b);
        club.chat("1", "안녕 🎉", null, null, System.nanoTime());
        club.chat("1", "second", null, null, System.nanoTime());
        club.delete("1", 1, "d");
        assertEquals(List.of(1L), deleted(a));
        assertEquals(List.of(1L), deleted(b));
        Recorder late = new Recorder();
        registry.join("c", new Member("3", "carol", late), OptionalLong.of(0), null, null);
        assertEquals(List.of(1L), deleted(late), "a replay carries the tombstone in place of the message");
        assertEquals(List.of(2L), late.of(ServerMessage.Chat.class).stream().map(ServerMessage.Chat::seq).toList());
        club.history("2", new org.clubchat.protocol.ClientMessage.History("c", OptionalLong.empty(), 50), "h");
        ServerMessage.History page = b.of(ServerMessage.History.class).get(0);
        assertEquals(List.of(new ServerMessage.Deleted("c", 1), new ServerMessage.Chat("c", "alice", "second", 2, 1_000)),
                page.messages());
        assertTrue(registry.messagesAfter("c", 0).get(0) instanceof ServerMessage.Deleted, "the API reads the tombstone too");
    }

    @Test
    void deletingIsRefusedAsTheProtocolOrdersItAndChangesNothing() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Club club = join("1", "alice", a);
        join("2", "bob", b);
        club.chat("1", "mine", null, null, System.nanoTime());
        club.delete("2", 1, "x");
        club.delete("2", 0, "y");
        club.delete("2", 2, "z");
        assertEquals(List.of(org.clubchat.protocol.ErrorCode.FORBIDDEN, org.clubchat.protocol.ErrorCode.NOT_FOUND,
                org.clubchat.protocol.ErrorCode.NOT_FOUND), b.of(ServerMessage.Error.class).stream().map(ServerMessage.Error::code).toList());
        assertEquals(List.of(), deleted(a), "nobody is told of a refused deletion");
        club.delete("1", 1, "again");
        club.delete("1", 1, "again");
        assertEquals(List.of(1L, 1L), deleted(a), "deleting a deleted message answers deleted again");
        assertEquals(List.of(1L), deleted(b), "the others are told once");
    }

    @Test
    void aMessageThatLeftMemoryIsNotFound() {
        ClubRegistry small = new ClubRegistry(2, Duration.ofSeconds(60), new ProtocolCodec(65536), clock,
                new Metrics(new SimpleMeterRegistry()));
        Recorder a = new Recorder();
        Club club = small.join("c", new Member("1", "alice", a), OptionalLong.empty(), null, null);
        for (int i = 0; i < 3; i++) {
            club.chat("1", "m" + i, null, null, System.nanoTime());
        }
        club.delete("1", 1, "d");
        assertEquals(org.clubchat.protocol.ErrorCode.NOT_FOUND, a.of(ServerMessage.Error.class).get(0).code());
    }

    @Test
    void aDeletedMessagesKeyStillMakesAResendADuplicate() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Club club = join("1", "alice", a);
        join("2", "bob", b);
        club.chat("1", "oops", "k1", null, System.nanoTime());
        club.delete("1", 1, null);
        club.chat("1", "oops", "k1", null, System.nanoTime());
        assertEquals(List.of(new ServerMessage.Ack("c", 1, false), new ServerMessage.Ack("c", 1, true)), a.of(ServerMessage.Ack.class));
        assertEquals(1, b.of(ServerMessage.Chat.class).size(), "the deleted message does not come back");
    }

    @Test
    void anOperatorDeletesAnyMessageAndErasesAPersonByNameOrSender() {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Club club = join("1", "alice", a);
        registry.join("c", new Member("2", "bob", "sub-bob", b), OptionalLong.empty(), null, null);
        club.chat("2", "b1", null, null, System.nanoTime());
        club.chat("1", "a1", null, null, System.nanoTime());
        club.chat("2", "b2", null, null, System.nanoTime());
        club.chat("1", "a2", null, null, System.nanoTime());
        assertEquals(Deletion.DELETED, registry.delete("c", 2));
        assertEquals(Deletion.ALREADY_DELETED, registry.delete("c", 2));
        assertEquals(Deletion.NOT_FOUND, registry.delete("c", 9));
        assertEquals(Deletion.NOT_FOUND, registry.delete("nowhere", 1));
        assertEquals(List.of(2L), deleted(a), "the operator's deletion reaches every member");
        assertEquals(1, registry.erase(Erasure.ofSub("sub-bob")), "memory holds the last three: seq 1 is gone already");
        assertEquals(1, registry.erase(Erasure.ofName("alice")));
        assertEquals(0, registry.erase(Erasure.ofName("alice")));
        assertEquals(List.of(2L, 3L, 4L), deleted(a));
        assertTrue(registry.messagesAfter("c", 0).stream().allMatch(ServerMessage.Deleted.class::isInstance));
    }

    @Test
    void aClubAboveThePresenceLimitGetsACountAtMostOnceASecondAndPresenceAgainOnceBelowIt() {
        List<Runnable> due = new ArrayList<>();
        List<Long> waits = new ArrayList<>();
        ClubRegistry limited = new ClubRegistry(10, 100, Duration.ofSeconds(60), new ProtocolCodec(65536), clock,
                new Metrics(new SimpleMeterRegistry()), null, 1000, new PresenceLimit(2, (task, wait) -> {
                    due.add(task);
                    waits.add(wait);
                }));
        Recorder a = new Recorder();
        Club club = limited.join("big", new Member("1", "alice", a), OptionalLong.empty(), null, null);
        List<String> names = List.of("bob", "carol", "dave", "erin");
        List<Recorder> others = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            others.add(new Recorder());
            if (i == 2) {
                now.addAndGet(100);
            }
            limited.join("big", new Member(String.valueOf(i + 2), names.get(i), others.get(i)), OptionalLong.empty(), null, null);
        }
        ServerMessage.Joined erinJoined = others.get(3).of(ServerMessage.Joined.class).get(0);
        assertEquals(List.of("alice", "bob"), erinJoined.members(), "the first names, as many as the limit");
        assertEquals(5, erinJoined.count());
        assertEquals(List.of("presence bob", "count 3"), seen(a), "carol made it large: a count at once, no presence");
        assertEquals(List.of(900L), waits, "dave and erin came within the second: one count, when it is due");
        due.remove(0).run();
        assertEquals(List.of("presence bob", "count 3", "count 5"), seen(a));

        club.members("1", new org.clubchat.protocol.ClientMessage.Members("big", null, 2), "m1");
        club.members("1", new org.clubchat.protocol.ClientMessage.Members("big", "bob", 2), "m2");
        club.members("1", new org.clubchat.protocol.ClientMessage.Members("big", "dave", 2), "m3");
        assertEquals(List.of(new ServerMessage.Members("big", List.of("alice", "bob"), 5, true),
                new ServerMessage.Members("big", List.of("carol", "dave"), 5, true),
                new ServerMessage.Members("big", List.of("erin"), 5, false)), a.of(ServerMessage.Members.class));

        now.addAndGet(2_000);
        club.leave("5", null, null);
        club.leave("4", null, null);
        club.leave("3", null, null);
        assertEquals(1, due.size(), "dave left within the second of erin's count");
        club.leave("2", null, null);
        due.remove(0).run();
        assertEquals(List.of("presence bob", "count 3", "count 5", "count 4", "count 2", "presence bob"), seen(a),
                "back at the limit: one count at once, then presence again; the count that was due is not sent");
    }

    private static List<String> seen(Recorder recorder) {
        return recorder.received.stream().filter(m -> m instanceof ServerMessage.Presence || m instanceof ServerMessage.Count)
                .map(m -> m instanceof ServerMessage.Count count ? "count " + count.count() : "presence " + ((ServerMessage.Presence) m).name())
                .toList();
    }
}
