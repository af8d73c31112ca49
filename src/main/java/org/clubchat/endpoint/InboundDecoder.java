package org.clubchat.endpoint;

import jakarta.websocket.Decoder;
import jakarta.websocket.EndpointConfig;
import org.clubchat.protocol.DecodeResult;
import org.clubchat.protocol.ProtocolCodec;

/**
 * Hands every text frame to {@link ProtocolCodec}. It accepts all text ({@code willDecode} is always
 * true) and never throws: a bad frame becomes a {@link DecodeResult.Rejected} that the service answers,
 * instead of a container-specific decode-error path that might drop the message or the connection.
 */
public final class InboundDecoder implements Decoder.Text<DecodeResult> {
    private ProtocolCodec codec;

    @Override
    public void init(EndpointConfig config) {
        codec = ChatEndpointConfigurator.installed().app().codec();
    }

    @Override
    public DecodeResult decode(String text) {
        return codec.decode(text);
    }

    @Override
    public boolean willDecode(String text) {
        return true;
    }
}
