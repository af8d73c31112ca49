package org.clubchat.endpoint;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.lang.System.Logger.Level;
import org.clubchat.ClubChat;
import org.clubchat.Settings;

/** Starts club-chat when the WAR is deployed and stops it, closing connections with 1001, when undeployed. */
@WebListener
public final class ClubChatListener implements ServletContextListener {
    private static final System.Logger LOG = System.getLogger(ClubChatListener.class.getName());
    private ClubChat app;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        app = new ClubChat(Settings.load(System.getenv(), System.getProperties()));
        ChatEndpointConfigurator.install(app);
        LOG.log(Level.INFO, "club-chat started: endpoint at {0}/chat", event.getServletContext().getContextPath());
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ChatEndpointConfigurator.uninstall(app);
        app.close();
        LOG.log(Level.INFO, "club-chat stopped");
    }
}
