package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.clubchat.support.Await;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A soak sized for CI: thousands of short-lived connections join, chat, leave, send garbage and binary
 * frames and drop without a close frame, at random, into the same clubs where well-behaved members chat.
 * Afterwards every well-behaved member has exactly the club's gapless history since it joined, every
 * connection and club is gone from the server, and the heap is back near where it started.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SoakIT {
    private static final int CHAOS_CONNECTIONS = 3_000;
    private static final int CHAOS_THREADS = 16;
    private static final int CLUBS = 10;
    private static final int MEMBERS = 3;
    private static final int MESSAGES = 30;
    private static final long HEAP_SLACK_BYTES = 48L << 20;
    private static final String[] GARBAGE = {"{not json", "[1,2]", "{\"type\":\"dance\"}", "{\"type\":\"join\",\"clubId\":\"a b\"}",
        "{\"type\":\"chat\",\"clubId\":\"w0\",\"message\":\"\"}", "{\"type\":\"join\",\"clubId\":\"w1\",\"since\":-4}", "{\"type\":\"ping\",\"x\":" + "[".repeat(64) + "]".repeat(64) + "}"};

    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_CLUB_RETENTION", "PT0.5S"));

    private final AtomicLong chaosMessages = new AtomicLong();
    private final AtomicLong errorsTried = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    @Test
    void wellBehavedMembersLoseNothingAndTheServerKeepsNothing() throws Exception {
        long baseline = usedHeapAfterGc();
        long start = System.nanoTime();
        Map<String, List<TestClient>> clubs = new TreeMap<>();
        for (int c = 0; c < CLUBS; c++) {
            List<TestClient> members = new ArrayList<>();
            for (int m = 0; m < MEMBERS; m++) {
                TestClient member = server.connect("w" + c + "-" + m);
                member.join("w" + c);
                members.add(member);
            }
            clubs.put("w" + c, members);
        }

        ExecutorService chaos = Executors.newFixedThreadPool(CHAOS_THREADS);
        List<Future<?>> sessions = new ArrayList<>();
        for (int i = 0; i < CHAOS_CONNECTIONS; i++) {
            int session = i;
            sessions.add(chaos.submit(() -> misbehave(session)));
        }
        clubs.forEach((club, members) -> members.forEach(member -> {
            for (int i = 0; i < MESSAGES; i++) {
                member.send(Json.createObjectBuilder().add("type", "chat").add("clubId", club)
                        .add("message", member.hashCode() + ":" + i).add("id", "m" + i));
            }
        }));
        for (Future<?> session : sessions) {
            session.get();
        }
        chaos.shutdown();
        int wellBehaved = CLUBS * MEMBERS;
        Await.until(Duration.ofSeconds(30), () -> server.app().gateway().openConnections() == wellBehaved,
                () -> "every misbehaving connection is gone, " + server.app().gateway().openConnections() + " open");

        long delivered = 0;
        for (Map.Entry<String, List<TestClient>> club : clubs.entrySet()) {
            delivered += assertEveryMemberHasTheWholeGaplessClub(club.getKey(), club.getValue());
        }
        clubs.values().forEach(members -> members.forEach(TestClient::close));
        Await.until(Duration.ofSeconds(10), () -> server.app().gateway().openConnections() == 0, () -> "no connection left");
        Await.until(Duration.ofSeconds(10), () -> server.app().clubs().size() == 0,
                () -> server.app().clubs().size() + " clubs still held after their retention");
        clubs.clear();
        sessions.clear();

        long after = usedHeapAfterGc();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("soak: %d connections (%d dropped without a close), %d messages from misbehaving clients, "
                        + "%d errors tried, %d chat deliveries to well-behaved members checked, heap %d MB -> %d MB, %d ms%n",
                CHAOS_CONNECTIONS + wellBehaved, dropped.get(), chaosMessages.get(), errorsTried.get(), delivered,
                baseline >> 20, after >> 20, took.toMillis());
        assertTrue(after < baseline + HEAP_SLACK_BYTES, "heap " + (after >> 20) + " MB after, " + (baseline >> 20) + " MB before");
    }

    /** One short-lived connection doing random things, good and bad, and leaving in a random way. */
    private void misbehave(int session) {
        Random random = new Random(session);
        TestClient client = TestClient.connect(server.chatAs("chaos-" + session));
        for (int step = random.nextInt(8); step > 0; step--) {
            String club = (random.nextBoolean() ? "w" : "x") + random.nextInt(CLUBS);
            switch (random.nextInt(5)) {
                case 0 -> client.send(Json.createObjectBuilder().add("type", "join").add("clubId", club));
                case 1 -> {
                    client.send(Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", "chaos"));
                    chaosMessages.incrementAndGet();
                }
                case 2 -> client.send(Json.createObjectBuilder().add("type", "leave").add("clubId", club));
                case 3 -> {
                    client.send(GARBAGE[random.nextInt(GARBAGE.length)]);
                    errorsTried.incrementAndGet();
                }
                default -> client.send("{\"type\":\"ping\"}");
            }
        }
        switch (random.nextInt(10)) {
            case 0 -> {
                client.sendBinary(new byte[] {1, 2, 3});
                errorsTried.incrementAndGet();
                client.awaitClose();
            }
            case 1, 2, 3, 4 -> {
                client.abort();
                dropped.incrementAndGet();
            }
            default -> client.close();
        }
    }

    /**
     * Reads a member's stream up to a final pong (every chat accepted before it was offered before it)
     * and checks the club: seqs 1..n without a gap, each member receiving every seq but its own, all
     * agreeing on who sent what. Returns the chats delivered.
     */
    private static long assertEveryMemberHasTheWholeGaplessClub(String club, List<TestClient> members) {
        Map<Long, String> log = new HashMap<>();
        List<Set<Long>> receivedByMember = new ArrayList<>();
        List<Set<Long>> ownByMember = new ArrayList<>();
        long delivered = 0;
        for (TestClient member : members) {
            member.send("{\"type\":\"ping\",\"id\":\"end\"}");
            Set<Long> received = new HashSet<>();
            Set<Long> own = new HashSet<>();
            long lastSeq = 0;
            while (true) {
                JsonObject frame = member.next();
                String type = frame.getString("type");
                if (type.equals("pong") && "end".equals(frame.getString("id", null))) {
                    break;
                }
                if (type.equals("chat")) {
                    long seq = frame.getJsonNumber("seq").longValue();
                    assertTrue(seq > lastSeq, "in order in " + club);
                    lastSeq = seq;
                    String sender = frame.getString("from") + ":" + frame.getString("message");
                    String previous = log.putIfAbsent(seq, sender);
                    assertTrue(previous == null || previous.equals(sender), "members agree on seq " + seq + " in " + club);
                    received.add(seq);
                    delivered++;
                } else if (type.equals("ack")) {
                    own.add(frame.getJsonNumber("seq").longValue());
                } else if (type.equals("error")) {
                    throw new AssertionError("a well-behaved member got " + frame);
                }
            }
            assertEquals(MESSAGES, own.size(), "every message of a well-behaved member is acked");
            receivedByMember.add(received);
            ownByMember.add(own);
        }
        Set<Long> all = new HashSet<>(log.keySet());
        ownByMember.forEach(all::addAll);
        long highest = all.stream().mapToLong(Long::longValue).max().orElse(0);
        assertEquals(highest, all.size(), "seqs of " + club + " are 1.." + highest + " without a gap");
        for (int m = 0; m < members.size(); m++) {
            Set<Long> expected = new HashSet<>(all);
            expected.removeAll(ownByMember.get(m));
            assertEquals(expected, receivedByMember.get(m), "member " + m + " of " + club + " got every seq but its own");
        }
        return delivered;
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
