package org.clubchat.delivery;

import java.util.Objects;

/**
 * Why a connection is closed: a close code of RFC 6455 and a short reason for the peer. The core's own
 * value, so that nothing below the adapters needs a container's API; each adapter translates it into
 * its wire's close (a WebSocket close frame, or a socket.io disconnect).
 *
 * @param code   a close code from RFC 6455 section 7.4 (1000-4999)
 * @param reason at most 123 bytes of UTF-8, the room a close frame has
 */
public record Close(int code, String reason) {
    private static final int MAX_REASON_BYTES = 123;

    public Close {
        Objects.requireNonNull(reason, "reason");
        if (code < 1000 || code > 4999) {
            throw new IllegalArgumentException("not a close code: " + code);
        }
    }

    /** A close whose reason comes from elsewhere (the application): cut to 123 bytes, between characters. */
    public static Close withReasonCut(int code, String reason) {
        int end = 0;
        int bytes = 0;
        while (end < reason.length()) {
            int codePoint = reason.codePointAt(end);
            int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (bytes + size > MAX_REASON_BYTES) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return new Close(code, reason.substring(0, end));
    }
}
