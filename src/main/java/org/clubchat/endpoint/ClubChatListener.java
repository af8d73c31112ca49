package org.clubchat.endpoint;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import java.lang.System.Logger.Level;
import java.util.Collections;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.clubchat.ClubChat;
import org.clubchat.Settings;

/**
 * Starts club-chat when the WAR is deployed and stops it, closing connections with 1001, when undeployed.
 * Settings come from system properties, the environment and the context's init parameters.
 */
@WebListener
public final class ClubChatListener implements ServletContextListener {
    private static final System.Logger LOG = System.getLogger(ClubChatListener.class.getName());
    /** Where socket.io clients look by default; {@link PollingServlet} is mapped there too. */
    static final String SOCKET_IO_PATH = "/socket.io/";
    /** The binary buffer a connection starts with, in bytes. */
    private static final int SMALL_BINARY_BUFFER = 1024;
    private ClubChat app;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        app = new ClubChat(Settings.load(System.getenv(), System.getProperties(), initParameters(context)));
        String serverInfo = context.getServerInfo();
        ChatEndpointConfigurator.install(app, Transports.forServer(serverInfo),
                TextParts.containerBuffer(serverInfo, app.settings().maxFrameBytes()));
        ServerContainer container = (ServerContainer) context.getAttribute(ServerContainer.class.getName());
        if (TextParts.allocatedOnOpen(serverInfo)) {
            // Tomcat allocates each connection's message buffers at these sizes when it opens, and keeps them:
            // text longer than its buffer comes in parts (TextParts), binary is refused on /chat at its first
            // part and rare on socket.io, whose sessions raise their own binary limit.
            container.setDefaultMaxTextMessageBufferSize(TextParts.CONTAINER_BUFFER);
            container.setDefaultMaxBinaryMessageBufferSize(SMALL_BINARY_BUFFER);
        }
        try {
            container.addEndpoint(EngineEndpoint.config(SOCKET_IO_PATH, app.socketIo(), app.settings().wsCompression(), serverInfo));
        } catch (DeploymentException e) {
            throw new IllegalStateException("could not serve socket.io at " + SOCKET_IO_PATH, e);
        }
        LOG.log(Level.INFO, "club-chat started: endpoint at {0}/chat, socket.io at {0}{1}", context.getContextPath(), SOCKET_IO_PATH);
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (app == null) {
            // It never started (a bad setting, an unreachable database): the container said why.
            return;
        }
        ChatEndpointConfigurator.uninstall(app);
        app.close();
        LOG.log(Level.INFO, "club-chat stopped");
    }

    private static Map<String, String> initParameters(ServletContext context) {
        return Collections.list(context.getInitParameterNames()).stream()
                .collect(Collectors.toMap(Function.identity(), context::getInitParameter));
    }
}
