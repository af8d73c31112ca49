package org.clubchat.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;
import org.glassfish.tyrus.spi.WriterInfo;

/**
 * A connection's writer that can hold back the TCP close. When the server refuses a message that the
 * client is still sending, closing the socket with its bytes unread makes the kernel answer with a
 * reset, and the client never reads the 1009 close frame sent just before. In that case the close
 * waits until the client's own close frame arrives, or {@link #LINGER} has passed.
 *
 * <p>{@code lingering} and {@code closeRequested} are atomic: Tyrus closes on its thread, the read side
 * reports the client's close frame on another.
 */
final class LingeringWriter extends Writer {
    static final Duration LINGER = Duration.ofSeconds(2);

    private final Writer writer;
    private final AtomicBoolean lingering = new AtomicBoolean();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    LingeringWriter(Writer writer) {
        this.writer = writer;
    }

    /** From now on a close waits for the client's close frame (see {@link #peerClosed}) or the linger time. */
    void lingerOnClose() {
        lingering.set(true);
        CompletableFuture.delayedExecutor(LINGER.toMillis(), TimeUnit.MILLISECONDS).execute(this::closeNow);
    }

    /** The client's close frame arrived: a held-back close happens now. */
    void peerClosed() {
        if (closeRequested.get()) {
            closeNow();
        } else {
            lingering.set(false);
        }
    }

    @Override
    public void write(ByteBuffer buffer, CompletionHandler<ByteBuffer> completionHandler) {
        writer.write(buffer, completionHandler);
    }

    @Override
    public void write(ByteBuffer buffer, CompletionHandler<ByteBuffer> completionHandler, WriterInfo writerInfo) {
        writer.write(buffer, completionHandler, writerInfo);
    }

    @Override
    public void close() throws IOException {
        closeRequested.set(true);
        if (!lingering.get()) {
            closeNow();
        }
    }

    private void closeNow() {
        if (closeRequested.get() && closed.compareAndSet(false, true)) {
            try {
                writer.close();
            } catch (IOException e) {
                // The peer is gone already: nothing is left to close cleanly.
            }
        }
    }
}
