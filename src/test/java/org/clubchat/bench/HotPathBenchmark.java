package org.clubchat.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.clubchat.delivery.Close;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.clubchat.club.Club;
import org.clubchat.club.ClubRegistry;
import org.clubchat.club.Member;
import org.clubchat.delivery.Outbox;
import org.clubchat.delivery.Transport;
import org.clubchat.metrics.Metrics;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.protocol.Frame;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.ServerMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The hot path without the network: decoding a client frame, encoding a broadcast, and fanning one
 * message out to a club of 1000 members through their outboxes (a transport that completes at once).
 * Run with the README's command; figures in docs/performance.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HotPathBenchmark {
    private static final String CHAT_FRAME =
            "{\"type\":\"chat\",\"clubId\":\"lobby\",\"message\":\"" + "x".repeat(100) + "\",\"id\":\"m42\"}";
    private static final int MEMBERS = 1000;

    private final ProtocolCodec codec = new ProtocolCodec(65536);
    private Club club;
    private long sent;

    /** Counts what it is asked to send and completes each send at once, like an idle socket. */
    private final class InstantTransport implements Transport {
        @Override
        public int batchBytes() {
            return 0;
        }

        @Override
        public void send(List<Frame> frames, Consumer<Throwable> done) {
            sent++;
            done.accept(null);
        }

        @Override
        public void ping() {
        }

        @Override
        public void close(Close reason) {
        }
    }

    @Setup(Level.Trial)
    public void fillClub() {
        ClubRegistry registry = new ClubRegistry(100, Duration.ofMinutes(5), codec, InstantSource.system(),
                new Metrics(new SimpleMeterRegistry()));
        for (int i = 0; i < MEMBERS; i++) {
            Member member = new Member("c" + i, "member" + i, new Outbox(new InstantTransport(), 1 << 20, Runnable::run, Runnable::run));
            club = registry.join("big", member, OptionalLong.empty(), null, null);
        }
    }

    @Benchmark
    public DecodeResult decodeChatFrame() {
        return codec.decode(CHAT_FRAME);
    }

    @Benchmark
    public Frame encodeBroadcast() {
        return codec.frame(new ServerMessage.Chat("lobby", "alice", "x".repeat(100), 42, 1_795_000_000_000L));
    }

    /** One chat message to 999 other members and the ack: divide by 1000 for the cost per delivery. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public long fanOutToAClubOf1000() {
        club.chat("c0", "hello everyone", null, null, System.nanoTime());
        return sent;
    }
}
