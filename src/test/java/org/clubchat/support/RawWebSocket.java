package org.clubchat.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A WebSocket client at the byte level, for what real clients never do: one frame whose header alone
 * announces more than the limit (the JDK client splits large messages into fragments), never reading,
 * or never answering a ping.
 */
public final class RawWebSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String responseHead;
    /** The server's side of permessage-deflate, with its context kept from message to message (RFC 7692). */
    private final Inflater inflater = new Inflater(true);

    public RawWebSocket(int port) throws IOException {
        this(port, "/chat", 0);
    }

    /**
     * @param pathAndQuery  e.g. {@code /chat?name=slow}
     * @param receiveBuffer the socket's receive buffer in bytes, or 0 for the system's default
     */
    public RawWebSocket(int port, String pathAndQuery, int receiveBuffer) throws IOException {
        this(port, pathAndQuery, receiveBuffer, "");
    }

    /** Offering permessage-deflate as Chromium does: see {@link #extensions} for what the server took. */
    public static RawWebSocket offeringDeflate(int port, String pathAndQuery) throws IOException {
        return new RawWebSocket(port, pathAndQuery, 0, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
    }

    private RawWebSocket(int port, String pathAndQuery, int receiveBuffer, String moreHeaders) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout((int) TestClient.TIMEOUT.toMillis());
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        String key = Base64.getEncoder().encodeToString(new byte[16]);
        out.write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n" + moreHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII));
        responseHead = readHeaders();
        if (!responseHead.startsWith("HTTP/1.1 101")) {
            throw new IOException("upgrade refused: " + responseHead);
        }
    }

    /** The {@code Sec-WebSocket-Extensions} the server answered the upgrade with, or "" for none. */
    public String extensions() {
        return responseHead.lines().filter(line -> line.toLowerCase(Locale.ROOT).startsWith("sec-websocket-extensions:"))
                .map(line -> line.substring(line.indexOf(':') + 1).strip()).findFirst().orElse("");
    }

    /** The next text message (inflated when the server compressed it), passing over control frames. */
    public String nextText() throws IOException {
        while (true) {
            ServerFrame frame = readFrame();
            byte[] payload = frame.payload();
            if ((frame.first() & 0x0F) != 0x1) {
                continue;
            }
            if ((frame.first() & 0x40) == 0) {
                return new String(payload, StandardCharsets.UTF_8);
            }
            inflater.setInput(ByteBuffer.allocate(payload.length + 4).put(payload).put(new byte[] {0, 0, (byte) 0xFF, (byte) 0xFF}).flip());
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            byte[] chunk = new byte[4096];
            try {
                while (!inflater.needsInput()) {
                    text.write(chunk, 0, inflater.inflate(chunk));
                }
            } catch (DataFormatException e) {
                throw new IOException("not deflate: " + e.getMessage(), e);
            }
            return text.toString(StandardCharsets.UTF_8);
        }
    }

    /** Sends one short text frame, masked with a zero key as clients must mask. */
    public void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 125) {
            throw new IllegalArgumentException("short frames only");
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        frame.write(0x80 | payload.length);
        frame.write(new byte[4]);
        frame.write(payload);
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Sends the header of one masked text frame of {@code length} bytes, then {@code sent} bytes of it. */
    public void sendFrameStart(long length, int sent) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        frame.write(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            frame.write((int) (length >>> shift) & 0xFF);
        }
        frame.write(new byte[4]);
        frame.write(new byte[sent]);
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Reads frames until a close frame arrives and returns its status code. */
    public int awaitCloseCode() throws IOException {
        while (true) {
            ServerFrame frame = readFrame();
            if ((frame.first() & 0x0F) == 0x8) {
                return ((frame.payload()[0] & 0xFF) << 8) | (frame.payload()[1] & 0xFF);
            }
        }
    }

    /** A frame from the server (unmasked): its first byte (FIN, RSV1, opcode) and its payload. */
    private record ServerFrame(int first, byte[] payload) {
    }

    private ServerFrame readFrame() throws IOException {
        int first = in.readUnsignedByte();
        long length = in.readUnsignedByte() & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new ServerFrame(first, payload);
    }

    /**
     * Reads frames until a close frame arrives and returns its status code, or 1006 (the code a client
     * reports for a connection that ended without one) if the server closes the TCP connection first.
     */
    public int awaitCloseCodeOrEnd() throws IOException {
        try {
            return awaitCloseCode();
        } catch (EOFException | SocketException e) {
            return 1006;
        }
    }

    /** Reads and drops everything until the server closes the TCP connection; fails on timeout. */
    public void awaitEndOfStream() throws IOException {
        byte[] sink = new byte[8192];
        while (in.read(sink) >= 0) {
            // Pings, a close frame: what matters is that the server lets go of the connection.
        }
    }

    private String readHeaders() throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        return head.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
