package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many clients in several clubs send at once; every member must see every other member's messages
 * exactly once, and all members of a club the same gapless seq order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConcurrencyIT {
    private static final int CLUBS = 3;
    private static final int MEMBERS = 6;
    private static final int MESSAGES = 40;
    /** Each member sends its 40 messages in one burst, after its join: above the default burst of 40. */
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_RATE_BURST", "1000"));

    @Test
    void everyMemberSeesEveryMessageOnceInOneGaplessOrder() throws Exception {
        List<TestClient> clients = new ArrayList<>();
        ExecutorService senders = Executors.newFixedThreadPool(CLUBS * MEMBERS);
        try {
            for (int c = 0; c < CLUBS; c++) {
                for (int m = 0; m < MEMBERS; m++) {
                    TestClient client = server.connect("c" + c + "m" + m);
                    client.join("load-" + c);
                    clients.add(client);
                }
            }
            // Drain the presence of later joiners so that only chat traffic follows.
            for (int c = 0; c < CLUBS; c++) {
                for (int m = 0; m < MEMBERS; m++) {
                    for (int later = m + 1; later < MEMBERS; later++) {
                        assertEquals("presence", clients.get(c * MEMBERS + m).next().getString("type"));
                    }
                }
            }

            CountDownLatch startGate = new CountDownLatch(1);
            List<Future<Result>> results = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                TestClient client = clients.get(i);
                String club = "load-" + (i / MEMBERS);
                String name = "c" + (i / MEMBERS) + "m" + (i % MEMBERS);
                results.add(senders.submit(() -> sendAndCollect(client, club, name, startGate)));
            }
            startGate.countDown();

            for (int c = 0; c < CLUBS; c++) {
                List<Result> club = new ArrayList<>();
                for (int m = 0; m < MEMBERS; m++) {
                    club.add(results.get(c * MEMBERS + m).get(60, TimeUnit.SECONDS));
                }
                assertClubConsistent(c, club);
            }
        } finally {
            senders.shutdownNow();
            clients.forEach(TestClient::close);
        }
    }

    /** What one member saw: the seq of every frame of its club, in arrival order, and who sent each. */
    private record Result(String name, List<Long> seqs, Map<Long, String> senders, List<Long> acked) {
    }

    private static Result sendAndCollect(TestClient client, String club, String name, CountDownLatch startGate)
            throws InterruptedException {
        assertTrue(startGate.await(30, TimeUnit.SECONDS));
        for (int i = 0; i < MESSAGES; i++) {
            client.send(Json.createObjectBuilder().add("type", "chat").add("clubId", club).add("message", name + "#" + i));
        }
        List<Long> seqs = new ArrayList<>();
        List<Long> acked = new ArrayList<>();
        Map<Long, String> senders = new HashMap<>();
        int expected = MEMBERS * MESSAGES;
        while (seqs.size() < expected) {
            JsonObject frame = client.next();
            long seq = frame.getJsonNumber("seq").longValue();
            seqs.add(seq);
            if (frame.getString("type").equals("ack")) {
                acked.add(seq);
                senders.put(seq, name);
            } else {
                assertEquals("chat", frame.getString("type"), frame::toString);
                senders.put(seq, frame.getString("from"));
            }
        }
        return new Result(name, seqs, senders, acked);
    }

    private static void assertClubConsistent(int club, List<Result> members) {
        List<Long> gapless = LongStream.rangeClosed(1, (long) MEMBERS * MESSAGES).boxed().toList();
        Map<Long, String> reference = members.get(0).senders();
        for (Result member : members) {
            assertEquals(gapless, member.seqs(),
                    () -> "club " + club + ": " + member.name() + " saw seqs (chat and ack) out of order or with gaps");
            assertEquals(reference, member.senders(), () -> "club " + club + ": members disagree on who sent a seq");
            assertEquals(MESSAGES, member.acked().size());
        }
        for (Result member : members) {
            assertEquals(MESSAGES, reference.values().stream().filter(member.name()::equals).count(),
                    () -> member.name() + " did not get exactly " + MESSAGES + " seqs");
        }
    }
}
