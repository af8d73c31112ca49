import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The cost of one write() per delivery on this machine, with nothing else around it: a server that
 * writes a ready-made 150-byte WebSocket-sized frame to N loopback connections in turn at R writes a
 * second, and a client process that reads and drops everything. Prints the server's CPU time per write.
 *
 *   taskset -c 1 java bench/floor/WriteFloor.java client PORT N &
 *   taskset -c 0 java bench/floor/WriteFloor.java server PORT N RATE SECONDS
 */
public final class WriteFloor {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        if (args[0].equals("client")) {
            client(port, n);
        } else {
            server(port, n, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        }
    }

    private static void server(int port, int n, int rate, int seconds) throws Exception {
        List<SocketChannel> peers = new ArrayList<>();
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", port));
            while (peers.size() < n) {
                SocketChannel peer = listener.accept();
                peer.setOption(StandardSocketOptions.TCP_NODELAY, true);
                peers.add(peer);
            }
        }
        // A text frame with a 146-byte payload: FIN and opcode 1, length 126 = "16-bit length follows".
        byte[] frame = new byte[150];
        frame[0] = (byte) 0x81;
        frame[1] = 126;
        frame[3] = (byte) (frame.length - 4);
        ByteBuffer direct = ByteBuffer.allocateDirect(frame.length);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long writes = 0;
        long start = System.nanoTime();
        long cpuStart = 0;
        long measuredWrites = 0;
        long warmup = 3L * rate;
        long total = warmup + (long) seconds * rate;
        int tick = Math.max(1, rate / 200);
        while (writes < total) {
            if (writes == warmup) {
                cpuStart = os.getProcessCpuTime();
                measuredWrites = 0;
            }
            for (int i = 0; i < tick && writes < total; i++, writes++, measuredWrites++) {
                direct.clear();
                direct.put(frame).flip();
                peers.get((int) (writes % n)).write(direct);
            }
            long due = start + writes * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        double micros = (os.getProcessCpuTime() - cpuStart) / 1000.0 / measuredWrites;
        System.out.printf("{\"writes_per_s\":%d,\"connections\":%d,\"server_cpu_us_per_write\":%.2f}%n", rate, n, micros);
        for (SocketChannel peer : peers) {
            peer.close();
        }
    }

    private static void client(int port, int n) throws Exception {
        Selector selector = Selector.open();
        for (int i = 0; i < n; i++) {
            SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
        }
        ByteBuffer sink = ByteBuffer.allocateDirect(64 * 1024);
        int open = n;
        while (open > 0) {
            selector.select();
            for (SelectionKey key : selector.selectedKeys()) {
                sink.clear();
                if (((SocketChannel) key.channel()).read(sink) < 0) {
                    key.cancel();
                    key.channel().close();
                    open--;
                }
            }
            selector.selectedKeys().clear();
        }
    }
}
