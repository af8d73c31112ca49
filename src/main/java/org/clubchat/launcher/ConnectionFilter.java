package org.clubchat.launcher;

import java.io.IOException;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.tyrus.container.grizzly.server.GrizzlyServerFilter;
import org.glassfish.tyrus.spi.ServerContainer;

/**
 * Tyrus's server filter, telling the {@link GatedEngine} which Grizzly connection a read belongs to.
 * Tyrus opens a connection inside the read that carries its handshake, so the engine can give the new
 * connection a {@link RawFrameTransport} that writes to that Grizzly connection directly.
 */
final class ConnectionFilter extends GrizzlyServerFilter {
    private final GatedEngine engine;

    ConnectionFilter(ServerContainer container, String contextPath, GatedEngine engine) {
        super(container, contextPath);
        this.engine = engine;
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) throws IOException {
        engine.readingFrom(ctx.getConnection());
        try {
            return super.handleRead(ctx);
        } finally {
            engine.readingFrom(null);
        }
    }
}
