package org.clubchat.endpoint;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.concurrent.atomic.AtomicReference;
import org.clubchat.ClubChat;

/**
 * Gives each {@link ChatEndpoint} the application it serves.
 *
 * <p>The container creates annotated endpoints itself, through this configurator's no-argument
 * constructor, so the application has to be handed over through one static holder: {@link #install}
 * fills it when the application starts (the WAR's {@link ClubChatListener}, or the launcher) and
 * {@link #uninstall} clears it when it stops. This is the project's only mutable static; one class
 * loader, and so one WAR deployment or one launcher, serves one {@link ClubChat}.
 */
public final class ChatEndpointConfigurator extends ServerEndpointConfig.Configurator {
    private static final AtomicReference<ClubChat> INSTALLED = new AtomicReference<>();

    public static void install(ClubChat app) {
        if (!INSTALLED.compareAndSet(null, app)) {
            throw new IllegalStateException("another club-chat is already running in this class loader");
        }
    }

    public static void uninstall(ClubChat app) {
        INSTALLED.compareAndSet(app, null);
    }

    /** The running application; also read by {@link InboundDecoder}, which the container creates too. */
    static ClubChat installed() {
        ClubChat app = INSTALLED.get();
        if (app == null) {
            throw new IllegalStateException("club-chat is not running");
        }
        return app;
    }

    /** The WebSocket API's own origin hook: a second line behind the HTTP-level check, answered 403. */
    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return installed().gate().allowsOrigin(originHeaderValue);
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return endpointClass.cast(new ChatEndpoint(installed()));
    }
}
