package org.clubchat.endpoint;

import jakarta.websocket.Extension;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.clubchat.ClubChat;

/**
 * Gives each {@link ChatEndpoint} the application it serves and the transport its server sends with.
 *
 * <p>The container creates annotated endpoints itself, through this configurator's no-argument
 * constructor, so the application has to be handed over through one static holder: {@link #install}
 * fills it when the application starts (the WAR's {@link ClubChatListener}, or the launcher) and
 * {@link #uninstall} clears it when it stops. This is the project's only mutable static; one class
 * loader, and so one WAR deployment or one launcher, serves one {@link ClubChat}.
 */
public final class ChatEndpointConfigurator extends ServerEndpointConfig.Configurator {
    private static final AtomicReference<Installed> INSTALLED = new AtomicReference<>();

    /**
     * The running application, how its server's connections send, and the text buffer its container gives
     * each connection, in characters ({@link TextParts}).
     */
    record Installed(ClubChat app, Transports transports, int textBuffer) {
    }

    /** Serves {@code app} with {@code transports} on a server that allocates only what a message needs (Tyrus). */
    public static void install(ClubChat app, Transports transports) {
        install(app, transports, app.settings().maxFrameBytes());
    }

    /** Serves {@code app} with {@code transports} and connections' text buffers of {@code textBuffer} characters, all set once. */
    static void install(ClubChat app, Transports transports, int textBuffer) {
        if (!INSTALLED.compareAndSet(null, new Installed(app, transports, textBuffer))) {
            throw new IllegalStateException("another club-chat is already running in this class loader");
        }
    }

    public static void uninstall(ClubChat app) {
        INSTALLED.updateAndGet(installed -> installed != null && installed.app() == app ? null : installed);
    }

    /** What is running; also read by the decoder, filter and servlet, which the container creates too. */
    static Installed installed() {
        Installed installed = INSTALLED.get();
        if (installed == null) {
            throw new IllegalStateException("club-chat is not running");
        }
        return installed;
    }

    /** The WebSocket API's own origin hook: a second line behind the HTTP-level check, answered 403. */
    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return installed().app().handshakes().allowsOrigin(originHeaderValue);
    }

    /** permessage-deflate only when the settings allow it (docs/operations.md, "Compression"). */
    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        return negotiated(installed().app().settings().wsCompression(), () -> super.getNegotiatedExtensions(installed, requested));
    }

    /**
     * The extensions a handshake agrees on: the container's own choice when compression is allowed, none
     * otherwise (permessage-deflate is the only one the containers offer).
     */
    static List<Extension> negotiated(boolean compression, Supplier<List<Extension>> containersChoice) {
        return compression ? containersChoice.get() : List.of();
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        Installed installed = installed();
        return endpointClass.cast(new ChatEndpoint(installed.app(), installed.transports(), installed.textBuffer()));
    }
}
