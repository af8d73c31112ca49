package org.clubchat.launcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.memory.ByteBufferArray;
import org.glassfish.tyrus.spi.ReadHandler;

/**
 * Sits in front of Grizzly's HTTP codec and hands what an upgraded connection reads straight to its
 * WebSocket read handler. Without it every WebSocket read passes through the codec as content of the
 * upgrade request, which Grizzly therefore keeps for the connection's whole life: its headers, parsed
 * values and response, about half of what an idle connection costs. With the reads taken here, the
 * request is let go of as soon as the handshake is done.
 */
final class UpgradedReads extends BaseFilter {
    /** An attribute key, immutable; each connection holds its own value. */
    private static final Attribute<ReadHandler> READ_HANDLER =
            Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(UpgradedReads.class.getName() + ".ReadHandler");

    /** From now on, what the connection reads goes to {@code handler}; the upgrade request is let go of. */
    static void upgraded(Connection<?> connection, ReadHandler handler) {
        READ_HANDLER.set(connection, handler);
        connection.getAttributes().removeAttribute(HttpServerFilter.HTTP_SERVER_REQUEST_ATTR_NAME);
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) throws IOException {
        ReadHandler handler = READ_HANDLER.get(ctx.getConnection());
        if (handler == null) {
            return ctx.getInvokeAction();
        }
        Buffer data = ctx.getMessage();
        if (data.isComposite()) {
            ByteBufferArray parts = data.toByteBufferArray();
            ByteBuffer[] array = parts.getArray();
            for (int i = 0; i < parts.size(); i++) {
                handler.handle(array[i]);
            }
            parts.recycle();
        } else {
            handler.handle(data.toByteBuffer());
        }
        return ctx.getStopAction();
    }
}
