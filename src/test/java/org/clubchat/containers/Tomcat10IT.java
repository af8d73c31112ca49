package org.clubchat.containers;

import java.util.Map;
import org.clubchat.support.ServerProcess;

/** Tomcat 10.1 (Jakarta EE 10), settings from environment variables. */
class Tomcat10IT extends ContainerConformance {
    @Override
    ServerProcess deploy(int port) throws Exception {
        return Tomcat.start("tomcat10", port, ServerProcess.requiredFile("it.tomcat10.home"), Map.of(
                "CLUBCHAT_HISTORY_SIZE", String.valueOf(HISTORY_SIZE),
                "CLUBCHAT_MESSAGE_MAX_LENGTH", String.valueOf(MAX_MESSAGE_LENGTH),
                "CLUBCHAT_ALLOWED_ORIGINS", allowedOrigins(port),
                "CLUBCHAT_API_KEY", API_KEY), Map.of());
    }
}
