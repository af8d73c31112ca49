package org.clubchat.socketio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One long-polling HTTP request, as an adapter (a servlet, the launcher's Grizzly handler) provides it.
 * The adapter has read the body already and has suspended the request: {@link #respond} may come later,
 * from any thread, exactly once, and may block while it writes.
 */
public interface PollingExchange {
    /** {@code GET}, {@code POST}, {@code OPTIONS}, … */
    String method();

    /** The query string as it came, still percent-encoded, or null. */
    String rawQuery();

    /** A request header, or null. */
    String header(String name);

    /** The body as UTF-8 text (empty for a GET); null when it was longer than the limit the adapter was given. */
    String body();

    void respond(int status, String contentType, String body, Map<String, String> headers);

    /** A request body as {@link #body} gives it: UTF-8 text, or null past {@code limit} bytes. */
    static String readBody(InputStream in, int limit) throws IOException {
        byte[] bytes = in.readNBytes(limit + 1);
        return bytes.length > limit ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
