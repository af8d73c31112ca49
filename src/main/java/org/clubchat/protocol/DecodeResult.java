package org.clubchat.protocol;

import java.util.Objects;

/** The outcome of decoding one client frame: errors are values, never exceptions. */
public sealed interface DecodeResult permits DecodeResult.Decoded, DecodeResult.Rejected, DecodeResult.TooBig {

    record Decoded(Inbound inbound) implements DecodeResult {
        public Decoded {
            Objects.requireNonNull(inbound, "inbound");
        }
    }

    /**
     * @param detail    for people: what was wrong with the frame
     * @param requestId the frame's valid {@code id} to echo, or null
     */
    record Rejected(ErrorCode code, String detail, String requestId) implements DecodeResult {
        public Rejected {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** The message is larger than the frame limit: the connection is closed with 1009, nothing is answered. */
    record TooBig(int limitBytes) implements DecodeResult {
    }
}
