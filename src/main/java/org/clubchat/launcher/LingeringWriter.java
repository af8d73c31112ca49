package org.clubchat.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.glassfish.tyrus.spi.CompletionHandler;
import org.glassfish.tyrus.spi.Writer;
import org.glassfish.tyrus.spi.WriterInfo;

/**
 * A connection's writer, through which both Tyrus (its control frames, its close) and the
 * {@link RawFrameTransport} (our data frames) write, so that two rules hold:
 * <ul>
 * <li>nothing follows a close frame: once Tyrus has written one, our frames are refused, whoever
 * decided the close (the outbox, the {@link MessageSizeGuard}, Tyrus itself on a protocol error);
 * <li>the TCP close can be held back. When the server refuses a message that the client is still
 * sending, closing the socket with its bytes unread makes the kernel answer with a reset, and the client
 * never reads the 1009 close frame sent just before. Then the close waits until the client's own close
 * frame arrives, or {@link #LINGER} has passed, whichever comes first; a close asked for after that
 * happens at once.
 * </ul>
 *
 * <p>Every field is guarded by {@code this}: Tyrus writes and closes on its threads, our writer threads
 * write, the read side reports the client's close frame, the timer ends the lingering. Writes only
 * enqueue (Grizzly's writer is asynchronous), so holding the lock across them is short; the socket's
 * close runs outside it.
 */
final class LingeringWriter extends Writer {
    static final Duration LINGER = Duration.ofSeconds(2);
    private static final int CLOSE_OPCODE = 0x8;

    private final Writer writer;
    private final ScheduledExecutorService timer;
    private boolean closeFrameWritten;
    private boolean lingering;
    private boolean closeRequested;
    private boolean closed;

    /** @param timer ends the lingering after {@link #LINGER} */
    LingeringWriter(Writer writer, ScheduledExecutorService timer) {
        this.writer = writer;
        this.timer = timer;
    }

    /**
     * Runs {@code enqueue}, which hands our data frames to the connection's write queue and must do
     * nothing more, unless a close frame has been written: then it returns false and runs nothing.
     */
    synchronized boolean writeData(Runnable enqueue) {
        if (closeFrameWritten) {
            return false;
        }
        enqueue.run();
        return true;
    }

    /** From now on a close waits for the client's close frame (see {@link #peerClosed}) or the linger time. */
    void lingerOnClose() {
        synchronized (this) {
            lingering = true;
        }
        timer.schedule(this::stopLingering, LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The client's close frame arrived: a held-back close happens now, a later one at once. */
    void peerClosed() {
        stopLingering();
    }

    @Override
    public void write(ByteBuffer buffer, CompletionHandler<ByteBuffer> completionHandler) {
        synchronized (this) {
            noteCloseFrame(buffer);
            writer.write(buffer, completionHandler);
        }
    }

    @Override
    public void write(ByteBuffer buffer, CompletionHandler<ByteBuffer> completionHandler, WriterInfo writerInfo) {
        synchronized (this) {
            noteCloseFrame(buffer);
            writer.write(buffer, completionHandler, writerInfo);
        }
    }

    /** Tyrus writes each frame, header first, in a write of its own. */
    private void noteCloseFrame(ByteBuffer buffer) {
        if (buffer.hasRemaining() && (buffer.get(buffer.position()) & 0x0F) == CLOSE_OPCODE) {
            closeFrameWritten = true;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closeRequested = true;
            if (lingering || closed) {
                return;
            }
            closed = true;
        }
        closeSocket();
    }

    private void stopLingering() {
        synchronized (this) {
            lingering = false;
            if (!closeRequested || closed) {
                return;
            }
            closed = true;
        }
        closeSocket();
    }

    private void closeSocket() {
        try {
            writer.close();
        } catch (IOException e) {
            // The peer is gone already: nothing is left to close cleanly.
        }
    }
}
