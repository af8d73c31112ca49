package org.clubchat.launcher;

import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.clubchat.ClubChat;
import org.clubchat.Settings;
import org.clubchat.endpoint.ChatEndpoint;
import org.clubchat.endpoint.ChatEndpointConfigurator;
import org.clubchat.endpoint.EngineEndpoint;
import org.clubchat.ops.OpsApi;
import org.clubchat.socketio.EngineServer;
import org.glassfish.grizzly.http.server.CLStaticHttpHandler;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

/**
 * The standalone server for development: one Grizzly HTTP server on one port serves the page from
 * {@code webapp/} at {@code /} and the endpoint at {@code /chat}. It binds the configured host only
 * (loopback by default), which Tyrus's own {@code Server} cannot do. The only class that knows Tyrus.
 */
public final class Launcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Launcher.class.getName());
    private static final String CONTEXT_PATH = "/";
    private static final long SHUTDOWN_GRACE_MILLIS = 2_000;
    /** Where socket.io clients look by default. */
    public static final String SOCKET_IO_PATH = "/socket.io/";

    private final ClubChat app;
    private final HttpServer http;
    private final TyrusServerContainer container;
    private final ScheduledExecutorService lingerTimer;
    private final int port;

    private Launcher(ClubChat app, HttpServer http, TyrusServerContainer container, ScheduledExecutorService lingerTimer, int port) {
        this.app = app;
        this.http = http;
        this.container = container;
        this.lingerTimer = lingerTimer;
        this.port = port;
    }

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.load(System.getenv(), System.getProperties());
        } catch (Settings.InvalidSettingException e) {
            exitBecause(e.getMessage());
            return;
        }
        Launcher launcher;
        try {
            launcher = start(settings);
        } catch (BindException e) {
            exitBecause(settings.host() + ":" + settings.port() + ": " + e.getMessage() + " (CLUBCHAT_PORT picks another port)");
            return;
        } catch (Settings.InvalidSettingException e) {
            exitBecause(e.getMessage());
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::close, "clubchat-shutdown"));
        String host = settings.host();
        String shown = host.equals("0.0.0.0") || host.equals("127.0.0.1") ? "localhost" : host;
        LOG.log(Level.INFO, "club-chat listening: page http://{0}:{1,number,#}/  endpoint ws://{0}:{1,number,#}/chat",
                shown, launcher.port());
        // Serve until the JVM is stopped (Ctrl-C, SIGTERM); the shutdown hook closes everything.
        Thread.currentThread().join();
    }

    private static void exitBecause(String reason) {
        LOG.log(Level.ERROR, "club-chat could not start: {0}", reason);
        System.exit(2);
    }

    /** Starts a server with its own {@link ClubChat}; port 0 in the settings picks a free port. */
    public static Launcher start(Settings settings) throws IOException, DeploymentException {
        return start(settings, app -> Map.of(SOCKET_IO_PATH, app.socketIo()));
    }

    /**
     * The same, with these Engine.IO servers by path instead of the application's socket.io at
     * {@code /socket.io/} (the socket.io conformance profile mounts its own).
     */
    public static Launcher start(Settings settings, Function<ClubChat, Map<String, EngineServer>> engines)
            throws IOException, DeploymentException {
        ClubChat app = new ClubChat(settings);
        Map<String, EngineServer> mounts = engines.apply(app);
        HttpServer http = new HttpServer();
        // The launcher's own thread: ends the lingering of connections that refused an oversized message.
        ScheduledExecutorService lingerTimer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "clubchat-linger");
            thread.setDaemon(true);
            return thread;
        });
        try {
            NetworkListener listener = new NetworkListener("clubchat", settings.host(), settings.port());
            listener.getTransport().setIOStrategy(WorkerThreadIOStrategy.getInstance());
            // WebSocket connections live as long as their peers want: no HTTP keep-alive timeout.
            listener.getKeepAlive().setIdleTimeoutInSeconds(-1);
            http.addListener(listener);

            GrizzlyContainer container = new GrizzlyContainer(app, incomingBufferBytes(settings), lingerTimer, mounts.keySet());
            ChatEndpointConfigurator.install(app, container.engine::transportFor);
            container.addEndpoint(ChatEndpoint.class);
            for (Map.Entry<String, EngineServer> mount : mounts.entrySet()) {
                container.addEndpoint(EngineEndpoint.config(mount.getKey(), mount.getValue(), settings.wsCompression(),
                        container.engine::engineSocketFor));
                http.getServerConfiguration().addHttpHandler(new PollingHandler(mount.getValue()), mount.getKey() + "*");
            }
            // As Tyrus's WebSocketAddOn does, with the filter that tells the engine each read's connection;
            // and in front of the HTTP codec, the filter that takes an upgraded connection's reads.
            listener.registerAddOn((network, chain) -> {
                chain.add(chain.indexOfType(HttpServerFilter.class), new ConnectionFilter(container, CONTEXT_PATH, container.engine));
                chain.add(chain.indexOfType(org.glassfish.grizzly.http.HttpServerFilter.class), new UpgradedReads());
            });
            http.getServerConfiguration().addHttpHandler(
                    new CLStaticHttpHandler(Launcher.class.getClassLoader(), "/webapp/"), CONTEXT_PATH);
            http.getServerConfiguration().addHttpHandler(new OpsHandler(app.ops()), "/health", "/metrics", "/api/*",
                    OpsApi.PAGE_CONFIG);
            http.start();
            container.start(CONTEXT_PATH, listener.getPort());
            return new Launcher(app, http, container, lingerTimer, listener.getPort());
        } catch (IOException | DeploymentException | RuntimeException e) {
            http.shutdownNow();
            lingerTimer.shutdownNow();
            ChatEndpointConfigurator.uninstall(app);
            app.close();
            throw e;
        }
    }

    /**
     * Tyrus fails a connection (1011) when its buffer of received, unparsed bytes overflows, and that
     * buffer may hold the start of the next pipelined message too; so it gets room for several. The
     * message limit itself is the {@link MessageSizeGuard}'s (1009).
     */
    static int incomingBufferBytes(Settings settings) {
        return 4 * settings.maxFrameBytes() + 64;
    }

    public int port() {
        return port;
    }

    public ClubChat app() {
        return app;
    }

    /** Closes every connection with 1001, then stops the server, giving the close frames time to leave. */
    @Override
    public void close() {
        app.close();
        container.stop();
        try {
            http.shutdown(SHUTDOWN_GRACE_MILLIS, TimeUnit.MILLISECONDS).get(SHUTDOWN_GRACE_MILLIS * 2, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            http.shutdownNow();
        } finally {
            lingerTimer.shutdownNow();
            ChatEndpointConfigurator.uninstall(app);
        }
        LOG.log(Level.INFO, "club-chat stopped");
    }

    /** Tyrus's server container, wired to our own Grizzly server and with the handshake gate in front. */
    private static final class GrizzlyContainer extends TyrusServerContainer {
        private final GatedEngine engine;

        GrizzlyContainer(ClubChat app, int incomingBufferBytes, ScheduledExecutorService lingerTimer, Set<String> enginePaths) {
            super((Set<Class<?>>) null);
            this.engine = new GatedEngine(
                    TyrusWebSocketEngine.builder(this).incomingBufferSize(incomingBufferBytes).build(), app.handshakes(),
                    app.settings().maxFrameBytes(), lingerTimer, enginePaths);
        }

        @Override
        public void register(Class<?> endpointClass) throws DeploymentException {
            engine.register(endpointClass, CONTEXT_PATH);
        }

        @Override
        public void register(ServerEndpointConfig config) throws DeploymentException {
            engine.register(config, CONTEXT_PATH);
        }

        @Override
        public WebSocketEngine getWebSocketEngine() {
            return engine;
        }

        @Override
        public Map<String, Object> getProperties() {
            return Map.of();
        }
    }
}
