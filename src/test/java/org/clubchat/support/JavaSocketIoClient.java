package org.clubchat.support;

import static org.junit.jupiter.api.Assertions.fail;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Manager;
import io.socket.client.Socket;
import io.socket.engineio.client.Transport;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.json.JSONObject;

/**
 * The Java socket.io client ({@code io.socket:socket.io-client}, what Android apps use), unchanged, with
 * what it receives read from a queue and every wait bounded by {@link TestClient#TIMEOUT}. Its listeners
 * run on the client's own event thread; they only enqueue.
 */
public final class JavaSocketIoClient implements AutoCloseable {
    /** An event the server emitted: its name and arguments. */
    public record Event(String name, List<Object> args) {
    }

    private final Socket socket;
    /** Filled by the client's event thread, read by the test. */
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** The transports the connection used, in order: polling then websocket after an upgrade. */
    private final List<String> transports = new CopyOnWriteArrayList<>();
    /** Completed with true on CONNECT, or with the CONNECT_ERROR's data. */
    private final CompletableFuture<Object> outcome = new CompletableFuture<>();

    private JavaSocketIoClient(URI base, IO.Options options) {
        options.reconnection = false;
        options.forceNew = true;
        socket = IO.socket(base, options);
        socket.io().on(Manager.EVENT_TRANSPORT, args -> transports.add(((Transport) args[0]).name));
        socket.on(Socket.EVENT_CONNECT, args -> outcome.complete(Boolean.TRUE));
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> outcome.complete(args.length > 0 ? args[0] : null));
        socket.onAnyIncoming(args -> events.add(new Event((String) args[0], List.of(Arrays.copyOfRange(args, 1, args.length)))));
        socket.connect();
    }

    /** A client in open mode named {@code name}, on these transports (none given: the default, polling then the upgrade). */
    public static JavaSocketIoClient named(ChatServer server, String name, String... transports) {
        IO.Options options = options(server, transports);
        options.query = "name=" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        return new JavaSocketIoClient(base(server), options);
    }

    /** A client in token mode, sending {@code token} as its {@code auth}. */
    public static JavaSocketIoClient withToken(ChatServer server, String token) {
        IO.Options options = options(server);
        options.auth = Map.of("token", token);
        return new JavaSocketIoClient(base(server), options);
    }

    private static IO.Options options(ChatServer server, String... transports) {
        IO.Options options = new IO.Options();
        options.path = server.http("/socket.io/").getPath();
        if (transports.length > 0) {
            options.transports = transports;
        }
        return options;
    }

    private static URI base(ChatServer server) {
        URI root = server.http("/");
        return URI.create(root.getScheme() + "://" + root.getAuthority());
    }

    /** Waits for the CONNECT and fails with the CONNECT_ERROR if that came instead. */
    public JavaSocketIoClient connected() {
        Object result = await(outcome);
        if (result != Boolean.TRUE) {
            fail("connect_error: " + result);
        }
        return this;
    }

    /** Waits for the CONNECT_ERROR and returns its data, failing if the connection was accepted. */
    public JSONObject refused() {
        Object result = await(outcome);
        if (!(result instanceof JSONObject error)) {
            return fail("expected connect_error, got " + result);
        }
        return error;
    }

    /** Emits {@code event} with these arguments and an ack callback, and returns the ack's arguments. */
    public List<Object> emitWithAck(String event, Object... args) {
        CompletableFuture<List<Object>> ack = new CompletableFuture<>();
        socket.emit(event, args, (Ack) reply -> ack.complete(List.of(reply)));
        return await(ack);
    }

    /** Emits {@code event} without asking for an ack. */
    public void emit(String event, Object... args) {
        socket.emit(event, args);
    }

    /** The next event named {@code name}, passing over events of other names (presence comes and goes). */
    public Event expect(String name) {
        List<Event> passedOver = new ArrayList<>();
        long deadline = System.nanoTime() + TestClient.TIMEOUT.toNanos();
        try {
            for (long left; (left = deadline - System.nanoTime()) > 0;) {
                Event event = events.poll(left, TimeUnit.NANOSECONDS);
                if (event != null && event.name().equals(name)) {
                    return event;
                }
                if (event != null) {
                    passedOver.add(event);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return fail("no event " + name + " within " + TestClient.TIMEOUT + "; passed over " + passedOver);
    }

    /** The transports used so far, in order. */
    public List<String> transports() {
        return List.copyOf(transports);
    }

    @Override
    public void close() {
        socket.close();
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TestClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return fail("no answer within " + TestClient.TIMEOUT);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
