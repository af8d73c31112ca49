package org.clubchat.endpoint;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Puts a text message that a container hands over in parts back together, up to a limit in characters.
 * Tomcat keeps a text buffer as large as its message limit for each connection's whole life (allocated at
 * the first text message: 128 KiB a connection at the protocol's 64 KiB), so there the endpoints give it
 * a small buffer ({@link #CONTAINER_BUFFER}) and take longer messages in parts: a message that fits is one
 * part, and costs nothing here; a longer one is put together here, and one over the limit is refused as
 * soon as it is, without waiting for the rest of it. Tyrus (Payara, the launcher) allocates only what a
 * message needs, and keeps the limit as its buffer (with a small one, Payara 7 lost track of a client
 * that stopped reading: ContainerConformance.aMemberThatStopsReadingIsLetGoOfAndTheOthersGetEverything);
 * there every message is one part.
 *
 * <p>Not thread-safe: a container hands over one connection's messages one at a time.
 */
final class TextParts {
    /** The characters of text Tomcat holds for a connection; a longer message arrives in parts. */
    static final int CONTAINER_BUFFER = 4096;

    private final int limit;
    /** The message arriving in parts, until its last part; null between messages. */
    private StringBuilder parts;
    /** Whether the message arriving was refused as too big: its remaining parts are dropped. */
    private boolean refusing;

    /** Whether the container that reports {@code serverInfo} allocates each connection's buffers at their limits (Tomcat). */
    static boolean allocatedOnOpen(String serverInfo) {
        return serverInfo.toLowerCase(Locale.ROOT).contains("tomcat");
    }

    /** The text buffer, in characters, to give sessions of the container that reports {@code serverInfo}. */
    static int containerBuffer(String serverInfo, int limit) {
        return allocatedOnOpen(serverInfo) ? CONTAINER_BUFFER : limit;
    }

    /** @param limit the most characters a message may have */
    TextParts(int limit) {
        this.limit = limit;
    }

    /** One part: {@code whole} gets the message once its last part came; {@code tooBig} runs once if it is over the limit. */
    void part(String part, boolean last, Consumer<String> whole, Runnable tooBig) {
        if (refusing) {
            refusing = !last;
            return;
        }
        if (parts == null && last) {
            whole.accept(part);
            return;
        }
        if (parts == null) {
            parts = new StringBuilder(Math.min(limit, 2 * part.length()));
        }
        if (parts.length() + part.length() > limit) {
            parts = null;
            refusing = !last;
            tooBig.run();
            return;
        }
        parts.append(part);
        if (last) {
            String message = parts.toString();
            parts = null;
            whole.accept(message);
        }
    }
}
