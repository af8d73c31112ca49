package org.clubchat.endpoint;

import jakarta.websocket.Encoder;
import org.clubchat.protocol.Frame;

/**
 * Gives the container a frame's JSON text. {@link org.clubchat.protocol.ProtocolCodec} wrote that text
 * once when the frame was made, so a broadcast is encoded once, not once per member.
 */
public final class FrameEncoder implements Encoder.Text<Frame> {

    @Override
    public String encode(Frame frame) {
        return frame.text();
    }
}
