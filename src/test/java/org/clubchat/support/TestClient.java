package org.clubchat.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket client (the JDK's) that records every text frame as a JSON object in a queue, so a
 * test waits for frames with a timeout and never sleeps.
 */
public final class TestClient implements AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** How a connection ended: the close code and reason the server sent. */
    public record Closed(int code, String reason) {
    }

    private final LinkedBlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    private final List<JsonObject> seen = new ArrayList<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final CompletableFuture<WebSocket> opening;
    /** Set once open, by the test's thread, which alone uses it. */
    private WebSocket socket;

    /** Starts the handshake; {@link #awaitOpen} waits for it. */
    private TestClient(URI uri) {
        opening = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(uri, new Recorder());
    }

    private TestClient awaitOpen() {
        try {
            socket = opening.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not connect", e);
        }
        return this;
    }

    /** Connects without reading anything; see {@link TestServer#connect} for the usual way. */
    public static TestClient connect(URI uri) {
        return new TestClient(uri).awaitOpen();
    }

    /**
     * Connects to every address at once, as a crowd of clients coming back after an outage does, and
     * returns the clients once all are connected, in the order given; fails if any is not within the
     * timeout.
     */
    public static List<TestClient> connectAll(List<URI> uris) {
        List<TestClient> clients = uris.stream().map(TestClient::new).toList();
        clients.forEach(TestClient::awaitOpen);
        return clients;
    }

    /** Opens a handshake and returns the failure, for handshakes that must be refused. */
    public static CompletableFuture<WebSocket> attempt(URI uri) {
        return HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(uri, new WebSocket.Listener() { });
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    public void send(JsonObjectBuilder frame) {
        send(frame.build().toString());
    }

    public void sendFragments(String... parts) {
        for (int i = 0; i < parts.length; i++) {
            socket.sendText(parts[i], i == parts.length - 1).join();
        }
    }

    /** Sends a message in fragments that the server may refuse midway: a failed send is expected. */
    public void sendExpectingClose(String... parts) {
        for (int i = 0; i < parts.length; i++) {
            if (socket.sendText(parts[i], i == parts.length - 1).handle((ok, failure) -> failure == null).join() == Boolean.FALSE) {
                return;
            }
        }
    }

    public void sendBinary(byte[] data) {
        socket.sendBinary(ByteBuffer.wrap(data), true).join();
    }

    /** The next frame, or a failure that lists what arrived so far. */
    public JsonObject next() {
        try {
            JsonObject frame = frames.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (frame == null) {
                fail("timed out waiting for a frame; received lately: " + recent());
            }
            seen.add(frame);
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The next frame if one comes within {@code wait}, else null: for a client that has something of its
     * own to do at a given time (a resend after a back-off) and reads replies until then.
     */
    public JsonObject poll(Duration wait) {
        try {
            JsonObject frame = frames.poll(Math.max(0, wait.toNanos()), TimeUnit.NANOSECONDS);
            if (frame != null) {
                seen.add(frame);
            }
            return frame;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next frame, or null once the connection has closed and every frame before the close was read. */
    public JsonObject nextOrClosed() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                JsonObject frame = frames.poll(10, TimeUnit.MILLISECONDS);
                if (frame != null) {
                    seen.add(frame);
                    return frame;
                }
                if (closed.isDone() && frames.isEmpty()) {
                    return null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return fail("neither a frame nor a close within " + TIMEOUT + "; received lately: " + recent());
    }

    /** As {@link #nextOrClosed}, passing over frames of type {@code passedOver}. */
    public JsonObject nextOrClosedSkipping(String passedOver) {
        JsonObject frame = nextOrClosed();
        while (frame != null && frame.getString("type").equals(passedOver)) {
            frame = nextOrClosed();
        }
        return frame;
    }

    /** The last frames read, for failure messages that stay readable after thousands of frames. */
    private List<JsonObject> recent() {
        return seen.subList(Math.max(0, seen.size() - 20), seen.size());
    }

    /** The next frame, which must be of this type. */
    public JsonObject expect(String type) {
        JsonObject frame = next();
        assertEquals(type, frame.getString("type"), () -> "unexpected frame " + frame + "; received lately: " + recent());
        return frame;
    }

    /** The next {@code count} frames of this type, passing over frames of other types. */
    public List<JsonObject> frames(String type, int count) {
        List<JsonObject> found = new ArrayList<>();
        while (found.size() < count) {
            JsonObject frame = next();
            if (frame.getString("type").equals(type)) {
                found.add(frame);
            }
        }
        return found;
    }

    /** The next frame, which must be of this type once frames of type {@code passedOver} are passed over. */
    public JsonObject expectSkipping(String type, String passedOver) {
        JsonObject frame = next();
        while (frame.getString("type").equals(passedOver)) {
            frame = next();
        }
        JsonObject found = frame;
        assertEquals(type, found.getString("type"), () -> "unexpected frame " + found + "; received lately: " + recent());
        return found;
    }

    /** The next frame, which must be an error with this code. */
    public JsonObject expectError(String code) {
        JsonObject error = expect("error");
        assertEquals(code, error.getString("code"), error::toString);
        return error;
    }

    /**
     * Asserts that no frame arrives within {@code quiet}: the one place where waiting out a window is the
     * assertion itself.
     */
    public void assertNoFrame(Duration quiet) {
        try {
            JsonObject frame = frames.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
            assertNull(frame, () -> "expected no frame, got " + frame);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code join} and returns the {@code joined} reply. */
    public JsonObject join(String clubId) {
        send(Json.createObjectBuilder().add("type", "join").add("clubId", clubId));
        return expect("joined");
    }

    /** Sends {@code chat} and returns the seq of its {@code ack}. */
    public long chat(String clubId, String message) {
        send(Json.createObjectBuilder().add("type", "chat").add("clubId", clubId).add("message", message));
        return expect("ack").getJsonNumber("seq").longValue();
    }

    /** As {@link #chat}, for a club whose members come and go meanwhile: presence events before the ack are passed over. */
    public long chatAmidPresence(String clubId, String message) {
        send(Json.createObjectBuilder().add("type", "chat").add("clubId", clubId).add("message", message));
        JsonObject reply = next();
        while ("presence".equals(reply.getString("type"))) {
            reply = next();
        }
        assertEquals("ack", reply.getString("type"), reply::toString);
        return reply.getJsonNumber("seq").longValue();
    }

    /** The {@code members} of a {@code joined} reply. */
    public static List<String> members(JsonObject joined) {
        return joined.getJsonArray("members").getValuesAs(jakarta.json.JsonString::getString);
    }

    public Closed awaitClose() {
        try {
            return closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("connection did not close; received lately: " + recent(), e);
        }
    }

    /**
     * The close, or null if the connection failed instead: a client still sending when the server closes
     * may see its connection reset before the close frame is read.
     */
    public Closed awaitCloseOrFailure() {
        try {
            return closed.handle((close, failure) -> close).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("connection did not end; received lately: " + recent(), e);
        }
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close frame, as a crashed client or a lost network would. */
    public void abort() {
        socket.abort();
    }

    /** Sends a close frame and returns at once: for closing many clients together. */
    public void startClose() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
            try {
                closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                socket.abort();
            }
        }
    }

    private final class Recorder implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(Json.createReader(new StringReader(partial.toString())).readObject());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
